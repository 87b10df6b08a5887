#include "framework/maas/endpoint_label.hpp"

namespace maasprov::maas {

std::string endpointLabel(const Request& request) {
  // MAAS paths alternate collection and object: machines/{id}/, nodes/{id}/interfaces/{id}/,
  // resourcepool/{id}/. Folding every second segment keeps the label set small and ID-free.
  std::string folded;
  std::string::size_type start = 0;
  int index = 0;
  const std::string& path = request.path;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    const bool last = slash == std::string::npos;
    if (last) slash = path.size();
    const std::string segment = path.substr(start, slash - start);
    if (!segment.empty()) {
      folded += index % 2 == 1 ? std::string("{id}") : segment;
      ++index;
    }
    if (!last) folded += '/';
    start = slash + 1;
  }
  std::string label = request.method + " " + folded;
  if (!request.op.empty()) label += "?op=" + request.op;
  return label;
}

}  // namespace maasprov::maas
