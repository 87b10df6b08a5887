#include "cli_runner.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace maasprov::cli::testing {

std::string CliResult::all() const {
  return "exit " + std::to_string(exitCode) + "\n--- stdout\n" + out + "--- stderr\n" + err;
}

CliRunner::CliRunner() : home_(Poco::TemporaryFile::tempName()) {
  std::filesystem::create_directories(home_);
}

CliRunner::~CliRunner() {
  std::error_code ignored;
  std::filesystem::remove_all(home_, ignored);
}

CliResult CliRunner::run(const std::vector<std::string>& args, const std::string& stdinText) const {
  // Empty values count as unset for maasprov, which is how variables are cleared here.
  Poco::Process::Env env = {{"HOME", home_.string()},
                            {"XDG_CONFIG_HOME", ""},
                            {"MAASPROV_SERVER", ""},
                            {"MAASPROV_TOKEN", ""},
                            {"MAASPROV_TOKEN_FILE", ""}};
  for (const auto& [k, v] : env_) env[k] = v;
  Poco::Pipe in, out, err;
  Poco::ProcessHandle handle =
      Poco::Process::launch(MAASPROV_BINARY, args, home_.string(), &in, &out, &err, env);
  CliResult r;
  Poco::PipeInputStream outStream(out), errStream(err);
  std::thread readErr([&] { Poco::StreamCopier::copyToString(errStream, r.err); });
  std::thread writeIn([&] {
    Poco::PipeOutputStream inStream(in);
    inStream << stdinText;
    inStream.close();
  });
  Poco::StreamCopier::copyToString(outStream, r.out);
  readErr.join();
  writeIn.join();
  r.exitCode = handle.wait();
  return r;
}

void writeFile(const std::filesystem::path& path, const std::string& text, int mode) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace maasprov::cli::testing
