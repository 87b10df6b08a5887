// maas-sim: a MAAS 3.x region simulator for tests, benchmarks and demos (docs/maas-sim.md).
#include <Poco/File.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/IntValidator.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "faults.hpp"
#include "inventory.hpp"
#include "server.hpp"
#include "state.hpp"

namespace {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

constexpr const char* kDefaultKey = "maasprov:sim:secret";

class SimApp : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override {
    ServerApplication::defineOptions(options);
    auto add = [&](const char* name, const char* arg, const char* help) {
      Option o(name, "", help);
      if (arg) o.argument(arg);
      o.callback(OptionCallback<SimApp>(this, &SimApp::HandleOption));
      options.addOption(o);
    };
    add("help", nullptr, "Show this help and exit.");
    add("inventory", "FILE", "Inventory file (YAML or JSON); required.");
    add("listen", "HOST:PORT",
        "Address to listen on (default 127.0.0.1:5240; port 0 = ephemeral).");
    add("port-file", "PATH", "Write the bound port here once listening (atomic).");
    add("api-key", "KEY", "API key consumer:token:secret (default maasprov:sim:secret).");
    add("deploy-seconds", "S", "Deploying -> Deployed after S seconds (default 2).");
    add("commission-seconds", "S", "Composed VMs: Commissioning -> Ready after S (default 1).");
    add("release-seconds", "S", "Releasing -> Ready after S seconds (default 1).");
    add("latency-ms", "N", "Added latency on every API request, milliseconds (default 0).");
    add("seed", "N", "Seed for identifiers and fault injection (default 1).");
    add("tls-cert", "FILE", "Serve HTTPS with this PEM certificate (needs --tls-key).");
    add("tls-key", "FILE", "PEM private key for --tls-cert.");
    add("log-requests", nullptr, "Log every request to stderr.");
  }

  void HandleOption(const std::string& name, const std::string& value) {
    if (name == "help")
      help_ = true;
    else
      values_[name] = value.empty() && name == "log-requests" ? "1" : value;
    if (name == "help") stopOptionsProcessing();
  }

  int main(const std::vector<std::string>& args) override {
    if (help_) {
      Poco::Util::HelpFormatter f(options());
      f.setCommand(commandName());
      f.setUsage("--inventory FILE [OPTIONS]");
      f.setHeader("A MAAS 3.x region simulator serving /MAAS/api/2.0/ and /_sim/.");
      f.format(std::cout);
      return EXIT_OK;
    }
    if (!args.empty()) return Fail("unexpected argument '" + args[0] + "'");
    try {
      return Run();
    } catch (const maassim::InventoryError& e) {
      std::cerr << "maas-sim: bad inventory: " << e.what() << std::endl;
      return EXIT_DATAERR;
    } catch (const std::invalid_argument& e) {
      return Fail(e.what());
    } catch (const Poco::Exception& e) {
      std::cerr << "maas-sim: " << e.displayText() << std::endl;
      return EXIT_SOFTWARE;
    }
  }

 private:
  int Fail(const std::string& msg) {
    std::cerr << "maas-sim: " << msg << " (see --help)" << std::endl;
    return EXIT_USAGE;
  }

  std::string Value(const std::string& name, const std::string& def) const {
    auto it = values_.find(name);
    return it == values_.end() ? def : it->second;
  }

  double Seconds(const std::string& name, double def) const {
    std::string v = Value(name, "");
    if (v.empty()) return def;
    size_t used = 0;
    double d = -1;
    try {
      d = std::stod(v, &used);
    } catch (const std::logic_error&) {
    }
    if (used != v.size() || d < 0)
      throw std::invalid_argument("--" + name +
                                  ": expected a non-negative number of seconds, got '" + v + "'");
    return d;
  }

  uint64_t Whole(const std::string& name, uint64_t def) const {
    std::string v = Value(name, "");
    if (v.empty()) return def;
    if (v.find_first_not_of("0123456789") != std::string::npos || v.size() > 18)
      throw std::invalid_argument("--" + name + ": expected a non-negative integer, got '" + v +
                                  "'");
    return std::stoull(v);
  }

  int Run() {
    std::string inventory = Value("inventory", "");
    if (inventory.empty()) throw std::invalid_argument("--inventory FILE is required");
    std::string key_text = Value("api-key", kDefaultKey);
    maassim::ApiKey key;
    {
      auto a = key_text.find(':'), b = key_text.rfind(':');
      if (a == std::string::npos || a == b || key_text.find(':', a + 1) != b)
        throw std::invalid_argument("--api-key: expected consumer:token:secret");
      key = {key_text.substr(0, a), key_text.substr(a + 1, b - a - 1), key_text.substr(b + 1)};
      if (key.consumer.empty() || key.token.empty() || key.secret.empty())
        throw std::invalid_argument(
            "--api-key: expected three non-empty parts consumer:token:secret");
    }
    std::string listen = Value("listen", "127.0.0.1:5240");
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--listen: expected HOST:PORT");
    uint64_t port = 0;
    {
      std::string p = listen.substr(colon + 1);
      if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos ||
          (port = std::stoull(p.substr(0, 6))) > 65535)
        throw std::invalid_argument("--listen: expected a port between 0 and 65535 in '" + listen +
                                    "'");
    }
    maassim::Timings timings{Seconds("deploy-seconds", 2.0), Seconds("commission-seconds", 1.0),
                             Seconds("release-seconds", 1.0)};
    uint64_t seed = Whole("seed", 1);
    int latency = static_cast<int>(Whole("latency-ms", 0));

    maassim::Inventory inv = maassim::LoadInventory(inventory, seed);
    std::string faults_json = inv.faults_json;
    maassim::State state(std::move(inv), timings, seed);
    maassim::Faults faults(seed, latency);
    if (!faults_json.empty()) {
      try {
        faults.Configure(faults_json);
      } catch (const std::invalid_argument& e) {
        throw maassim::InventoryError(inventory + ": faults." + e.what());
      }
    }
    maassim::Counters counters;

    Poco::Net::SocketAddress address(listen.substr(0, colon), static_cast<uint16_t>(port));
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    std::string cert = Value("tls-cert", ""), tls_key = Value("tls-key", "");
    if (cert.empty() != tls_key.empty())
      throw std::invalid_argument("--tls-cert and --tls-key go together");
    if (!cert.empty()) {
      for (const auto& f : {cert, tls_key})
        if (!Poco::File(f).exists())
          throw std::invalid_argument("cannot read TLS file '" + f + "'");
      Poco::Net::Context::Ptr ctx = Poco::makeAuto<Poco::Net::Context>(
          Poco::Net::Context::TLS_SERVER_USE, tls_key, cert, "", Poco::Net::Context::VERIFY_NONE);
      socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, ctx);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>(address, 64);
    }
    uint16_t bound = socket->address().port();

    // Our own pool: Poco's default pool holds 16 threads, and each keep-alive client occupies
    // one, so many clients would queue behind idle connections.
    Poco::ThreadPool pool("maas-sim", 2, 256, 1);
    auto params = Poco::makeAuto<Poco::Net::HTTPServerParams>();
    params->setMaxThreads(256);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    // Idle dispatcher threads linger this long; Poco joins them at exit, so keep it short.
    params->setThreadIdleTime(Poco::Timespan(0, 250'000));
    maassim::ServerContext ctx{&state, &faults, &counters, key, !Value("log-requests", "").empty()};
    Poco::Net::HTTPServer server(Poco::makeShared<maassim::HandlerFactory>(ctx), pool, *socket,
                                 params);
    server.start();

    std::string port_file = Value("port-file", "");
    if (!port_file.empty()) {
      // Written only once the socket listens, and renamed into place so readers never see half.
      std::string tmp = port_file + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << bound << "\n";
        if (!out) throw std::invalid_argument("--port-file: cannot write '" + tmp + "'");
      }
      Poco::File(tmp).renameTo(port_file);
    }
    std::cerr << "maas-sim: listening on " << (cert.empty() ? "http" : "https") << "://"
              << address.host().toString() << ":" << bound << "/MAAS/api/2.0/" << std::endl;
    waitForTerminationRequest();
    server.stopAll(true);
    return EXIT_OK;
  }

  bool help_ = false;
  std::map<std::string, std::string> values_;
};

}  // namespace

POCO_SERVER_MAIN(SimApp)
