#include "child.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>

namespace maasprov::check {

const char* verdictName(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "PASS";
    case Verdict::Fail:
      return "FAIL";
    case Verdict::Skip:
      return "SKIP";
    case Verdict::Crash:
      return "CRASH";
    case Verdict::Timeout:
      return "TIMEOUT";
  }
  return "FAIL";
}

namespace {

void writeAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

Outcome runInChild(const std::function<Outcome()>& body, std::chrono::seconds timeout) {
  // Whatever the parent buffered must not be written a second time by the child.
  std::fflush(stdout);
  std::fflush(stderr);
  int fds[2];
  if (::pipe(fds) != 0) return {Verdict::Fail, std::string("pipe: ") + std::strerror(errno)};
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {Verdict::Fail, std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    ::close(fds[0]);
    // Poco::Util::Application turns crash signals into abort(); a plugin's crash should be
    // reported as the signal it really raised.
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) ::signal(sig, SIG_DFL);
    Outcome o;
    try {
      o = body();
    } catch (const std::exception& e) {
      o = {Verdict::Fail, std::string("checker error: ") + e.what()};
    } catch (...) {
      o = {Verdict::Fail, "checker error: unknown exception"};
    }
    writeAll(fds[1], std::to_string(static_cast<int>(o.verdict)) + "\n" + o.detail);
    ::close(fds[1]);
    // _exit: the plugin's static destructors and atexit handlers are not the checker's concern.
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timedOut = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timedOut = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child closed the pipe (finished or died)
    message.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (timedOut) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timedOut) {
    return {Verdict::Timeout,
            "no verdict within " + std::to_string(timeout.count()) + " s; child killed"};
  }
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    return {Verdict::Crash, "the plugin crashed the process: signal " + std::to_string(sig) + " (" +
                                ::strsignal(sig) + ")"};
  }
  auto newline = message.find('\n');
  if (newline == std::string::npos) {
    return {Verdict::Crash, "the process exited (status " + std::to_string(WEXITSTATUS(status)) +
                                ") without a verdict; did the plugin call exit()?"};
  }
  int v = std::atoi(message.substr(0, newline).c_str());
  if (v < 0 || v > static_cast<int>(Verdict::Timeout)) v = static_cast<int>(Verdict::Fail);
  return {static_cast<Verdict>(v), message.substr(newline + 1)};
}

}  // namespace maasprov::check
