// libFuzzer target: the WHOLE REST API request path, as a client reaches it. One real
// ApiServer (Poco HTTPServer, the real request handler, auth, routing, decoding, validation,
// redaction, watches) over a real SqliteStore in a temporary directory, on 127.0.0.1; each input
// is sent as raw bytes over a fresh loopback connection (method, path, headers and body
// together), the write side is closed and the answer read. An input that does not start like a
// request line (a manifest from examples/ or tests/) is sent as the body of an authenticated
// POST of a MaasMachine, JSON or YAML by its first byte, so the seeds reach the handlers.
//
// Findings: crashes, leaks and UB anywhere in the server (ASan/UBSan, its threads included), an
// answer without a status code, and any 500: hostile input must get a clear 4xx.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "framework/api/api_server.hpp"
#include "framework/store/sqlite_store.hpp"

namespace {

constexpr const char* kToken = "fuzz-token-0123456789";
// Globals, so that LeakSanitizer sees them reachable at exit.
maasprov::store::SqliteStore* g_store = nullptr;
maasprov::api::ApiServer* g_server = nullptr;

// Started once, never stopped: the process ends with the fuzzer.
std::uint16_t serverPort() {
  static const std::uint16_t port = [] {
    std::string base = "/tmp";
    if (std::filesystem::is_directory("/dev/shm")) base = "/dev/shm";  // no fsync cost
    char tmpl[64];
    std::snprintf(tmpl, sizeof tmpl, "%s/fuzz_api_http.XXXXXX", base.c_str());
    const char* dir = ::mkdtemp(tmpl);
    if (dir == nullptr) std::abort();
    g_store = new maasprov::store::SqliteStore({std::string(dir) + "/maasprov.db"});
    maasprov::api::ApiOptions options;
    options.listen = "127.0.0.1:0";
    options.token = kToken;
    maasprov::api::ApiHooks hooks;
    hooks.metricsText = [] { return std::string("# fuzz\n"); };
    hooks.ready = [] { return true; };
    hooks.plugins = [] { return Poco::makeShared<Poco::JSON::Object>(); };
    hooks.vmHosts = [] { return Poco::makeShared<Poco::JSON::Array>(); };
    g_server = new maasprov::api::ApiServer(options, *g_store, hooks);
    g_server->start();
    return g_server->port();
  }();
  return port;
}

std::string asRequest(const std::string& input) {
  std::size_t i = 0;
  while (i < input.size() && input[i] >= 'A' && input[i] <= 'Z') ++i;
  if (i > 0 && i < input.size() && input[i] == ' ') return input;
  const bool json = !input.empty() && (input[0] == '{' || input[0] == '[');
  return "POST /apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/default/maasmachines "
         "HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer " +
         std::string(kToken) + "\r\nContent-Type: application/" + (json ? "json" : "yaml") +
         "\r\nContent-Length: " + std::to_string(input.size()) + "\r\n\r\n" + input;
}

// Sends `request`, closes the write side and reads the answer: until the server closes, or
// 200 ms pass without bytes once some arrived (a watch streams on), or 5 s in all.
std::string exchange(const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) std::abort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(serverPort());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before reading everything
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[16384];
  for (int waited = 0; waited < 5000;) {
    pollfd p{fd, POLLIN, 0};
    const int wait = answer.empty() ? 100 : 200;
    if (::poll(&p, 1, wait) <= 0) {
      if (!answer.empty()) break;
      waited += wait;
      continue;
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string answer =
      exchange(asRequest(std::string(reinterpret_cast<const char*>(data), size)));
  if (answer.empty()) return 0;  // the connection was dropped (e.g. a malformed request line)
  // "HTTP/1.1 <code> <reason>".
  const std::size_t space = answer.find(' ');
  const int status = space == std::string::npos ? 0 : std::atoi(answer.c_str() + space + 1);
  if (status < 100 || status > 599) {
    std::fprintf(stderr, "not an HTTP answer: %.200s\n", answer.c_str());
    std::abort();
  }
  // 503: a watch slot or the server is busy; 505: the client named an HTTP version we do not
  // speak. Every other 5xx is the server failing on hostile input.
  if (status >= 500 && status != 503 && status != 505) {
    std::fprintf(stderr, "hostile input got %d:\n%.2000s\n", status, answer.c_str());
    std::abort();
  }
  return 0;
}
