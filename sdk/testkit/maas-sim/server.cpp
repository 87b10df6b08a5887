#include "server.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/OAuth10Credentials.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "render.hpp"

namespace maassim {

namespace {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Var = Poco::Dynamic::Var;

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string retry_after;
};

Reply Json(const Var& v, int status = 200) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(v, out);
  return {status, out.str(), "application/json", ""};
}

// The State renders its answers as JSON text itself.
Reply JsonText(std::string body) {
  return {200, std::move(body), "application/json", ""};
}

Reply Text(int status, const std::string& body) {
  return {status, body, "text/plain; charset=utf-8", ""};
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// MAASAPIAuthentication: an OAuth request that does not validate is rejected, never downgraded.
void CheckAuth(const HTTPServerRequest& req, const ApiKey& key, const Poco::URI& uri,
               const Poco::Net::HTMLForm& form) {
  std::string scheme, info;
  if (req.has("Authorization")) req.getCredentials(scheme, info);
  if (Poco::icompare(scheme, "OAuth") != 0)
    throw ApiError(401, "Authorization Required: the API key is missing (OAuth header expected).");
  Poco::Net::HTTPAuthenticationParams params;
  try {
    params.fromAuthInfo(info);
  } catch (const Poco::Exception&) {
    throw ApiError(401, "Authorization Required: malformed OAuth header.");
  }
  std::vector<std::string> missing;
  for (const char* k : {"oauth_consumer_key", "oauth_token", "oauth_signature",
                        "oauth_signature_method", "oauth_timestamp", "oauth_nonce"})
    if (!params.has(k)) missing.push_back(k);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw ApiError(401, "Authorization Required: missing OAuth parameters: " + list + ".");
  }
  const std::string& ts = params.get("oauth_timestamp");
  if (ts.empty() || ts.find_first_not_of("0123456789") != std::string::npos)
    throw ApiError(400,
                   "Bad Request: the following problems were found among the auth params: "
                   "('oauth_timestamp', <ParamIssue.UNEXPECTED_TYPE: 'unexpected type'>)");
  std::string consumer, token;
  Poco::URI::decode(params.get("oauth_consumer_key"), consumer);
  Poco::URI::decode(params.get("oauth_token"), token);
  if (consumer != key.consumer) throw ApiError(401, "Authorization Error: Invalid API key.");
  if (token != key.token)
    throw ApiError(401, "Authorization Error: 'Invalid access token: " + token + "'");
  // The signature itself is checked by Poco (PLAINTEXT or HMAC-SHA1; MAAS consumers have no
  // secret, so the PLAINTEXT signature is "&<token secret>").
  Poco::Net::OAuth10Credentials creds(key.consumer, "", key.token, key.secret);
  bool ok = false;
  try {
    ok = creds.verify(req, uri, form);
  } catch (const Poco::Exception& e) {
    throw ApiError(401, "Authorization Error: '" + e.displayText() + "'");
  }
  if (!ok) throw ApiError(401, "Authorization Error: 'Invalid signature.'");
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(const ServerContext& ctx) : ctx_(ctx) {}

  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
    Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    std::string label;
    Reply reply;
    bool reset = false;
    try {
      if (path.rfind("/_sim/", 0) == 0) {
        label = "control";
        reply = Control(req, path);
      } else if (path.rfind(kApiRoot, 0) == 0 || path + "/" == kApiRoot) {
        reply = Api(req, resp, uri, label, reset);
      } else {
        label = req.getMethod() + " (unknown path)";
        reply = Text(404, "Not Found");
      }
    } catch (const ApiError& e) {
      reply = e.json() ? Reply{e.status(), e.what(), "application/json", ""}
                       : Text(e.status(), e.what());
    } catch (const std::exception& e) {
      reply = Text(500, std::string("Internal simulator error: ") + e.what());
    }
    if (label != "control") ctx_.counters->Record(label, reset ? 0 : reply.status);
    if (ctx_.log_requests)
      std::cerr << "maas-sim: " << req.getMethod() << " " << req.getURI() << " -> "
                << (reset ? std::string("reset") : std::to_string(reply.status)) << std::endl;
    if (reset) {
      // Abort the connection with a TCP RST instead of answering.
      auto& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(req).socket();
      socket.setLinger(true, 0);
      socket.close();
      return;
    }
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    if (!reply.retry_after.empty()) resp.set("Retry-After", reply.retry_after);
    if (reply.status == 204) {
      resp.setContentLength(0);
      resp.send();
      return;
    }
    resp.setContentType(reply.content_type);
    // One write for the whole body: send()'s stream writes a large list in 4 KiB pieces, one
    // system call each.
    resp.sendBuffer(reply.body.data(), reply.body.size());
  }

 private:
  Reply Api(HTTPServerRequest& req, HTTPServerResponse&, const Poco::URI& uri, std::string& label,
            bool& reset) {
    Poco::Net::HTMLForm form;
    form.setFieldLimit(0);
    form.setValueLengthLimit(16 * 1024 * 1024);  // user_data can be large
    // Reads the query string, and for POST/PUT the url-encoded or multipart body.
    try {
      form.load(req, req.stream());
    } catch (const Poco::Net::HTMLFormException& e) {
      label = req.getMethod() + " (malformed form)";
      return Text(400, "Bad Request: " + e.message());
    }
    Params params;
    for (const auto& [k, v] : form) params.Add(k, v);
    const std::string method = req.getMethod();
    const std::string op = params.Get("op");
    auto seg = Segments(uri.getPath().substr(std::string(kApiRoot).size()));
    std::string collection = seg.empty() ? "" : seg[0];
    label = method + " " + collection + (seg.size() > 1 ? "/{id}" : "") +
            (op.empty() ? "" : " op=" + op);

    if (int ms = ctx_.faults->latency_ms(); ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    FaultDecision fault = ctx_.faults->Draw(label);
    switch (fault.kind) {
      case FaultKind::k503:
        return Text(503, "Service Unavailable (simulated fault)");
      case FaultKind::k503RetryAfter: {
        Reply r = Text(503, "Service Unavailable (simulated fault)");
        r.retry_after = std::to_string(fault.retry_after_seconds);
        return r;
      }
      case FaultKind::k409RetryAfter: {
        // MAAS answers 409 with Retry-After when a transaction could not be serialised.
        Reply r = Text(409, "Conflict (simulated fault): please retry.");
        r.retry_after = std::to_string(fault.retry_after_seconds);
        return r;
      }
      case FaultKind::kReset:
        reset = true;
        return {};
      case FaultKind::kSlow:
        std::this_thread::sleep_for(std::chrono::milliseconds(fault.slow_ms));
        break;
      case FaultKind::kNone:
        break;
    }
    CheckAuth(req, ctx_.key, uri, form);
    return Dispatch(method, op, seg, params);
  }

  [[noreturn]] static void Unrecognised(const std::string& method, const std::string& op) {
    throw ApiError(
        400, "Unrecognised signature: method=" + method + " op=" + (op.empty() ? "None" : op));
  }

  Reply Dispatch(const std::string& method, const std::string& op,
                 const std::vector<std::string>& seg, const Params& p) {
    State& s = *ctx_.state;
    const bool get = method == "GET", post = method == "POST", put = method == "PUT",
               del = method == "DELETE";
    if (seg.empty()) return Text(404, "Not Found");
    const std::string& c = seg[0];
    if (seg.size() > 2) return Text(404, "Not Found");
    const bool item = seg.size() == 2;
    const std::string id = item ? seg[1] : "";
    if (!get && !post && !put && !del) return Text(405, "Method Not Allowed");
    // Operations are only dispatched on GET and POST; PUT and DELETE ignore `op`.
    if (c == "version" && !item) {
      if (!get) Unrecognised(method, op);
      auto v = Poco::makeShared<Poco::JSON::Object>();
      Poco::JSON::Array::Ptr caps = Poco::makeShared<Poco::JSON::Array>();
      for (const char* cap :
           {"networks-management", "static-ipaddresses", "ipv6-deployment-ubuntu",
            "devices-management", "storage-deployment-ubuntu", "network-deployment-ubuntu",
            "bridging-interface-ubuntu", "bridging-automatic-ubuntu", "authenticate-api"})
        caps->add(cap);
      v->set("capabilities", caps);
      v->set("version", "3.6.0");
      v->set("subversion", "maas-sim");
      return Json(v);
    }
    if (c == "machines") {
      if (!item) {
        if (get && op.empty()) return JsonText(s.ListMachines(p));
        if (post && op == "allocate") return JsonText(s.Allocate(p));
        if (put || del) return Text(405, "Method Not Allowed");
        Unrecognised(method, op);
      }
      if (get && op.empty()) return JsonText(s.GetMachine(id));
      if (get && op == "query_power_state") return JsonText(s.QueryPowerState(id));
      if (put) return JsonText(s.UpdateMachine(id, p));
      if (del) return s.DeleteMachine(id), Reply{204, "", "", ""};
      if (post && op == "deploy") return JsonText(s.Deploy(id, p));
      if (post && op == "release") return JsonText(s.Release(id, p));
      if (post && op == "power_on") return JsonText(s.PowerOn(id));
      if (post && op == "power_off") return JsonText(s.PowerOff(id));
      if (post && op == "set_workload_annotations")
        return JsonText(s.SetWorkloadAnnotations(id, p));
      Unrecognised(method, op);
    }
    if (c == "vm-hosts" || c == "pods") {
      if (!item) {
        if (get && op.empty()) return JsonText(s.ListVmHosts(c));
        if (put || del) return Text(405, "Method Not Allowed");
        Unrecognised(method, op);
      }
      if (get && op.empty()) return JsonText(s.GetVmHost(id, c));
      if (get && op == "parameters") return JsonText(s.VmHostParameters(id));
      if (post && op == "compose") return JsonText(s.Compose(id, p));
      if (post && op == "refresh") return JsonText(s.GetVmHost(id, c));
      if (put) return JsonText(s.UpdateVmHost(id, p, c));
      if (del) return s.DeleteVmHost(id), Reply{204, "", "", ""};
      Unrecognised(method, op);
    }
    if (c == "dnsresources") {
      if (!item) {
        if (get && op.empty()) return JsonText(s.ListDnsResources(p));
        if (post && op.empty()) return JsonText(s.CreateDnsResource(p));
        if (put || del) return Text(405, "Method Not Allowed");
        Unrecognised(method, op);
      }
      if (get && op.empty()) return JsonText(s.GetDnsResource(id));
      if (put) return JsonText(s.UpdateDnsResource(id, p));
      if (del) return s.DeleteDnsResource(id), Reply{204, "", "", ""};
      Unrecognised(method, op);
    }
    if (c == "tags") {
      if (!item) {
        if (get && op.empty()) return JsonText(s.ListTags());
        if (post && op.empty()) return JsonText(s.CreateTag(p));
        if (put || del) return Text(405, "Method Not Allowed");
        Unrecognised(method, op);
      }
      if (get && op.empty()) return JsonText(s.GetTag(id));
      if (get && op == "machines") return JsonText(s.TagMachines(id));
      if (post && op == "update_nodes") return JsonText(s.TagUpdateNodes(id, p));
      Unrecognised(method, op);
    }
    struct ReadOnly {
      const char* list;
      const char* single;
    };
    for (const ReadOnly& r :
         {ReadOnly{"domains", "domains"}, ReadOnly{"zones", "zones"},
          ReadOnly{"resourcepools", "resourcepool"}, ReadOnly{"subnets", "subnets"}}) {
      if (c != r.list && c != r.single) continue;
      if ((item && c != r.single) || (!item && c != r.list)) return Text(404, "Not Found");
      if (put || del) return Text(405, "Method Not Allowed");
      if (!get || !op.empty()) Unrecognised(method, op);
      if (c == "domains") return JsonText(item ? s.GetDomain(id) : s.ListDomains());
      if (c == "zones") return JsonText(item ? s.GetZone(id) : s.ListZones());
      if (c == "subnets") return JsonText(item ? s.GetSubnet(id) : s.ListSubnets());
      return JsonText(item ? s.GetPool(id) : s.ListPools());
    }
    return Text(404, "Not Found");
  }

  Reply Control(HTTPServerRequest& req, const std::string& path) {
    if (!req.clientAddress().host().isLoopback())
      return Text(403, "The control endpoint only answers on loopback.");
    const std::string method = req.getMethod();
    auto seg = Segments(path);
    if (method == "GET" && seg.size() == 2 && seg[1] == "counters")
      return Json(ctx_.counters->Describe());
    if (method == "GET" && seg.size() == 2 && seg[1] == "state")
      return JsonText(ctx_.state->Dump());
    if (method == "GET" && seg.size() == 2 && seg[1] == "faults")
      return Json(ctx_.faults->Describe());
    if (method == "POST" && seg.size() == 2 && seg[1] == "reset-counters") {
      ctx_.counters->Reset();
      return Json(ctx_.counters->Describe());
    }
    if (method == "POST" && seg.size() == 2 && seg[1] == "faults") {
      std::string body;
      Poco::StreamCopier::copyToString(req.stream(), body);
      try {
        ctx_.faults->Configure(body);
      } catch (const std::invalid_argument& e) {
        return Text(400, e.what());
      }
      return Json(ctx_.faults->Describe());
    }
    if (method == "POST" && seg.size() == 4 && seg[1] == "machines" &&
        seg[3] == "fail-next-deploy") {
      if (!ctx_.state->FailNextDeploy(seg[2]))
        return Text(404, "No Machine matches the given query.");
      return Text(200, "The next deploy of " + seg[2] + " will fail.");
    }
    if (method == "POST" && seg.size() == 4 && seg[1] == "machines" &&
        seg[3] == "fail-next-commissioning") {
      int status = ctx_.state->FailCommissioning(seg[2]);
      if (status == 404) return Text(404, "No Machine matches the given query.");
      if (status == 409) return Text(409, seg[2] + " is not commissioning.");
      return Text(200, seg[2] + " will fail commissioning.");
    }
    if (method == "POST" && seg.size() == 4 && seg[1] == "vm-hosts" &&
        seg[3] == "fail-next-commissioning") {
      if (!ctx_.state->FailNextCommissioningOn(seg[2]))
        return Text(404, "No Pod matches the given query.");
      return Text(200, "The next VM composed on VM host " + seg[2] + " will fail commissioning.");
    }
    return Text(404, "Unknown control endpoint.");
  }

  const ServerContext& ctx_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(const HTTPServerRequest&) {
  // Poco takes ownership of the handler.
  return std::make_unique<Handler>(ctx_).release();
}

}  // namespace maassim
