// libFuzzer target: manifest decoding (YAML and JSON, one or many documents) and validation,
// as `maasprov apply -f` and the API's bodies reach them. Errors are expected; crashes, leaks,
// undefined behaviour and hangs are not.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>

#include "framework/model/decode.hpp"
#include "framework/model/validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& object : maasprov::model::decodeDocuments(text, "fuzz")) {
      (void)maasprov::model::validate(object);
    }
  } catch (const std::exception&) {  // a clear decoding error is the expected outcome
  }
  return 0;
}
