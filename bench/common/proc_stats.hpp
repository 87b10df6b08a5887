// What a process costs, read from /proc: CPU seconds (utime + stime of /proc/<pid>/stat) and
// memory (VmRSS, VmHWM of /proc/<pid>/status).
//
// Thread-safety: stateless functions.
#pragma once

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace maasprov::bench {

// User + system CPU seconds the process has used so far (all threads).
inline double cpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which may hold spaces: skip past its closing parenthesis.
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// A "VmXXX:" line of /proc/<pid>/status in MiB (0 when absent).
inline double statusMiB(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream s(line.substr(key.size() + 1));
      double kb = 0;
      s >> kb;
      return kb / 1024.0;
    }
  }
  return 0;
}

}  // namespace maasprov::bench
