// CRUD over real sockets for every kind, in JSON and YAML: creation, reads, validation passed
// through with the model's exact messages, immutability, conflicts, apply, finalizer deletion,
// selectors and cross-namespace lists.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <atomic>
#include <thread>
#include <vector>

#include "api_test_support.hpp"
#include "framework/model/decode.hpp"
#include "framework/model/defaults.hpp"
#include "framework/model/field_error.hpp"
#include "framework/model/validation.hpp"

namespace maasprov::api::testing {
namespace {

const std::string kMachines = std::string(kInfra) + "/namespaces/default/maasmachines";
const std::string kClusters = std::string(kInfra) + "/namespaces/default/maasclusters";
const std::string kSecrets = "/api/v1/namespaces/default/secrets";

class Resources : public ApiFixture {};

TEST_F(Resources, CreatesAMachineFromYamlAndReadsItBack) {
  const auto created = post(kMachines, machineYaml("m1"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.headers.get("Content-Type"), "application/json");
  const auto object = created.json();
  EXPECT_EQ(object->getValue<std::string>("kind"), "MaasMachine");
  EXPECT_FALSE(metaOf(object, "uid").empty());
  EXPECT_EQ(metaOf(object, "generation"), "1");
  // Defaulting happened on the server.
  EXPECT_EQ(object->getObject("spec")->getValue<std::string>("provisioningMode"), "bare-metal");

  const auto read = get(kMachines + "/m1");
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(metaOf(read.json(), "uid"), metaOf(object, "uid"));
  EXPECT_EQ(metaOf(read.json(), "resourceVersion"), metaOf(object, "resourceVersion"));
  const auto status = get(kMachines + "/m1/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(metaOf(status.json(), "name"), "m1");
}

// A third party's plugin adds a machine type; the API must let users ask for it.
TEST_F(Resources, AcceptsAMachineTypeAPluginAdds) {
  const auto created =
      post(kMachines,
           R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1","kind":"MaasMachine",)"
           R"("metadata":{"name":"t1"},"spec":{"provisioningMode":"example-tagged",)"
           R"("minCPU":1,"minMemory":1024,"image":"ubuntu/jammy"}})",
           "application/json");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()->getObject("spec")->getValue<std::string>("provisioningMode"),
            "example-tagged");
}

TEST_F(Resources, CreatesEachKindFromJson) {
  auto machine = post(kMachines, machineJson("m1"), "application/json");
  EXPECT_EQ(machine.status, 201) << machine.body;
  auto cluster = post(kClusters,
                      R"({"apiVersion":"infrastructure.cluster.x-k8s.io/v1beta1",)"
                      R"("kind":"MaasCluster","metadata":{"name":"c1"},)"
                      R"("spec":{"dnsDomain":"maas","controlPlaneEndpoint":{"host":"cp.maas"}}})",
                      "application/json; charset=utf-8");
  ASSERT_EQ(cluster.status, 201) << cluster.body;
  // The namespace comes from the path when the body leaves it out; defaults apply.
  EXPECT_EQ(metaOf(cluster.json(), "namespace"), "default");
  EXPECT_EQ(
      cluster.json()->getObject("spec")->getObject("controlPlaneEndpoint")->getValue<int>("port"),
      6443);
  auto secret = post(kSecrets,
                     R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s1"},)"
                     R"("stringData":{"value":"#cloud-config"}})",
                     "application/json");
  EXPECT_EQ(secret.status, 201) << secret.body;
  EXPECT_EQ(get(kClusters + "/c1").status, 200);
  EXPECT_EQ(get(kSecrets + "/s1").status, 200);
}

TEST_F(Resources, ListsWithSelectorsAndAcrossNamespaces) {
  ASSERT_EQ(post(kMachines, machineYaml("a", "default", "    role: cp\n")).status, 201);
  ASSERT_EQ(post(kMachines, machineYaml("b", "default", "    role: worker\n")).status, 201);
  const std::string other = std::string(kInfra) + "/namespaces/other/maasmachines";
  ASSERT_EQ(post(other, machineYaml("c", "other", "    role: cp\n")).status, 201);

  const auto all = get(std::string(kInfra) + "/maasmachines");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json()->getValue<std::string>("kind"), "MaasMachineList");
  EXPECT_FALSE(all.json()->getObject("metadata")->getValue<std::string>("resourceVersion").empty());
  EXPECT_EQ(all.json()->getArray("items")->size(), 3u);

  const auto inDefault = get(kMachines);
  EXPECT_EQ(inDefault.json()->getArray("items")->size(), 2u);

  const auto cps = get(std::string(kInfra) + "/maasmachines?labelSelector=role%3Dcp");
  ASSERT_EQ(cps.status, 200);
  const auto items = cps.json()->getArray("items");
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ(metaOf(items->getObject(0), "name"), "a");
  EXPECT_EQ(metaOf(items->getObject(1), "name"), "c");

  const auto notIn = get(kMachines + "?labelSelector=role%20notin%20(cp)");
  ASSERT_EQ(notIn.json()->getArray("items")->size(), 1u);
  EXPECT_EQ(metaOf(notIn.json()->getArray("items")->getObject(0), "name"), "b");

  const auto byName = get(kMachines + "?fieldSelector=metadata.name%3Db");
  ASSERT_EQ(byName.json()->getArray("items")->size(), 1u);
}

TEST_F(Resources, BadSelectorIsA400NamingIt) {
  const auto result = get(kMachines + "?labelSelector=a%20in%20(x");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.json()->getValue<std::string>("kind"), "Status");
  EXPECT_EQ(result.json()->getValue<std::string>("reason"), "BadRequest");
  EXPECT_EQ(result.message(),
            "labelSelector: invalid label selector \"a in (x\": expected \",\" or \")\" at "
            "position 8");
}

TEST_F(Resources, ValidationErrorsAreTheModelsExactMessages) {
  const std::string body =
      machineYaml("m1", "default", "", "  userData: '%%%'\n") + "  tags: [a, a]\n";
  // What the model itself says about this manifest.
  auto object = model::decodeDocument(body);
  model::applyDefaults(object);
  const auto expected = model::validate(object);
  ASSERT_FALSE(expected.empty());

  const auto result = post(kMachines, body);
  ASSERT_EQ(result.status, 422) << result.body;
  const auto status = result.json();
  EXPECT_EQ(status->getValue<std::string>("status"), "Failure");
  EXPECT_EQ(status->getValue<std::string>("reason"), "Invalid");
  EXPECT_EQ(status->getValue<int>("code"), 422);
  EXPECT_EQ(result.message(), model::joinErrors(expected));
  const auto causes = status->getObject("details")->getArray("causes");
  ASSERT_EQ(causes->size(), expected.size());
  EXPECT_EQ(causes->getObject(0)->getValue<std::string>("field"), expected[0].path);
  EXPECT_EQ(get(kMachines + "/m1").status, 404);
}

TEST_F(Resources, DecodeErrorsAre400WithTheFieldPath) {
  auto unknown = post(kMachines, machineYaml("m1") + "  storag: 5\n");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.message(), "spec.storag: unknown field");
  auto wrongType =
      post(kMachines, machineJson("m1", "default", R"(,"tags":"x")"), "application/json");
  EXPECT_EQ(wrongType.status, 400);
  EXPECT_EQ(wrongType.message(), "spec.tags: expected list, got string");
  auto wrongKind = post(kMachines, clusterYaml("c1"));
  EXPECT_EQ(wrongKind.status, 400);
  EXPECT_EQ(wrongKind.message(), "kind: expected MaasMachine at this path, got MaasCluster");
  auto otherNs = post(kMachines, machineYaml("m1", "elsewhere"));
  EXPECT_EQ(otherNs.status, 400);
  EXPECT_EQ(
      otherNs.message(),
      R"(metadata.namespace: "elsewhere" does not match the namespace in the path "default")");
  auto list = post(kMachines, machineYaml("m1") + "---\n" + machineYaml("m2"));
  EXPECT_EQ(list.status, 400);
  EXPECT_EQ(list.message(), "expected exactly one object, found 2");
}

TEST_F(Resources, DuplicateCreateIs409AlreadyExists) {
  ASSERT_EQ(post(kMachines, machineYaml("m1")).status, 201);
  const auto again = post(kMachines, machineYaml("m1"));
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()->getValue<std::string>("reason"), "AlreadyExists");
  EXPECT_EQ(again.message(), "MaasMachine default/m1 already exists");
}

TEST_F(Resources, ReplaceUpdatesAndBumpsGenerationOnlyForSpec) {
  const auto created = post(kMachines, machineYaml("m1")).json();
  auto body = created;
  body->getObject("metadata")->set("labels", Poco::makeShared<Poco::JSON::Object>());
  body->getObject("metadata")->getObject("labels")->set("team", "infra");
  const auto relabeled = put(kMachines + "/m1", stringify(body));
  ASSERT_EQ(relabeled.status, 200) << relabeled.body;
  EXPECT_EQ(metaOf(relabeled.json(), "generation"), "1");
  EXPECT_NE(metaOf(relabeled.json(), "resourceVersion"), metaOf(created, "resourceVersion"));

  auto next = relabeled.json();
  next->getObject("spec")->set("failureDomain", "zone-a");
  const auto respecced = put(kMachines + "/m1", stringify(next));
  ASSERT_EQ(respecced.status, 200) << respecced.body;
  EXPECT_EQ(metaOf(respecced.json(), "generation"), "2");
}

TEST_F(Resources, StaleResourceVersionIs409Conflict) {
  const auto created = post(kMachines, machineYaml("m1")).json();
  auto first = created;
  first->getObject("spec")->set("failureDomain", "zone-a");
  ASSERT_EQ(put(kMachines + "/m1", stringify(first)).status, 200);
  // A second writer based on the same read loses.
  auto second = post(kMachines, machineYaml("unused")).json();  // unrelated write
  (void)second;
  auto stale = created;
  stale->getObject("spec")->set("failureDomain", "zone-b");
  const auto result = put(kMachines + "/m1", stringify(stale));
  EXPECT_EQ(result.status, 409);
  EXPECT_EQ(result.json()->getValue<std::string>("reason"), "Conflict");
  EXPECT_NE(result.message().find("MaasMachine default/m1 was modified"), std::string::npos)
      << result.message();
}

TEST_F(Resources, ReplaceNeedsAResourceVersionAndAMatchingName) {
  ASSERT_EQ(post(kMachines, machineYaml("m1")).status, 201);
  const auto noVersion = put(kMachines + "/m1", machineJson("m1"));
  EXPECT_EQ(noVersion.status, 400);
  EXPECT_EQ(noVersion.message().rfind("metadata.resourceVersion: required", 0), 0u);
  const auto otherName = put(kMachines + "/m1", machineJson("m2"));
  EXPECT_EQ(otherName.status, 400);
  EXPECT_EQ(otherName.message(), R"(metadata.name: "m2" does not match the name in the path "m1")");
  EXPECT_EQ(put(kMachines + "/absent", machineJson("absent")).status, 400);
}

TEST_F(Resources, ImmutableFieldsCannotChange) {
  const auto created = post(kMachines, machineYaml("m1")).json();
  auto changed = created;
  changed->getObject("spec")->set("image", "ubuntu/noble");
  const auto result = put(kMachines + "/m1", stringify(changed));
  EXPECT_EQ(result.status, 422);
  EXPECT_EQ(result.message(), "spec.image: field is immutable once set");
  EXPECT_EQ(get(kMachines + "/m1").json()->getObject("spec")->getValue<std::string>("image"),
            "ubuntu/jammy");
}

TEST_F(Resources, ApplyReportsCreatedConfiguredUnchangedAndKeepsFinalizers) {
  const auto created = patch(kMachines + "/m1", machineYaml("m1"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.headers.get("X-Maasprov-Apply-Result"), "created");

  // The controller adds its finalizer and status; a later apply must keep both.
  auto stored = store().get({"MaasMachine", "default", "m1"});
  auto finalizers = Poco::makeShared<Poco::JSON::Array>();
  finalizers->add(std::string("maasmachine.infrastructure.cluster.x-k8s.io"));
  stored->getObject("metadata")->set("finalizers", finalizers);
  store().update(stored);
  auto observed = store().get({"MaasMachine", "default", "m1"});
  auto status = Poco::makeShared<Poco::JSON::Object>();
  status->set("ready", true);
  observed->set("status", status);
  store().updateStatus(observed);

  const auto unchanged = patch(kMachines + "/m1", machineYaml("m1"));
  ASSERT_EQ(unchanged.status, 200) << unchanged.body;
  EXPECT_EQ(unchanged.headers.get("X-Maasprov-Apply-Result"), "unchanged");

  const auto configured = patch(kMachines + "/m1", machineYaml("m1", "default", "    a: b\n"));
  ASSERT_EQ(configured.status, 200) << configured.body;
  EXPECT_EQ(configured.headers.get("X-Maasprov-Apply-Result"), "configured");
  const auto kept = configured.json()->getObject("metadata")->getArray("finalizers");
  ASSERT_FALSE(kept.isNull());
  EXPECT_EQ(kept->getElement<std::string>(0), "maasmachine.infrastructure.cluster.x-k8s.io");
  EXPECT_TRUE(configured.json()->getObject("status")->getValue<bool>("ready"));

  auto otherImage = machineYaml("m1");
  otherImage.replace(otherImage.find("ubuntu/jammy"), 12, "ubuntu/noble");
  const auto immutable = patch(kMachines + "/m1", otherImage);
  EXPECT_EQ(immutable.status, 422) << immutable.body;
  EXPECT_EQ(immutable.message(), "spec.image: field is immutable once set");
}

TEST_F(Resources, ConcurrentWritersGetOneWinnerForReplaceAndAllSucceedForApply) {
  const std::string created = stringify(post(kMachines, machineYaml("m1")).json());
  std::atomic<int> won{0};
  std::atomic<int> conflicted{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 3; ++i) {
    writers.emplace_back([&, i] {
      // Each writer its own copy: a shared Poco tree written from three threads is a data race
      // (LeakSanitizer caught a lost map node).
      auto body = Poco::JSON::Parser().parse(created).extract<Poco::JSON::Object::Ptr>();
      body->getObject("spec")->set("failureDomain", "zone-" + std::to_string(i));
      const auto result = put(kMachines + "/m1", stringify(body));
      (result.status == 200 ? won : conflicted)++;
      EXPECT_TRUE(result.status == 200 || result.status == 409) << result.body;
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), 2);

  // Apply reads and writes on the server and retries conflicts: every writer lands.
  writers.clear();
  std::atomic<int> applied{0};
  for (int i = 0; i < 3; ++i) {
    writers.emplace_back([&, i] {
      const auto result =
          patch(kMachines + "/m1",
                machineYaml("m1", "default", "    writer: w" + std::to_string(i) + "\n"));
      if (result.status == 200) ++applied;
      EXPECT_EQ(result.status, 200) << result.body;
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(applied.load(), 3);
}

TEST_F(Resources, DeleteFollowsFinalizers) {
  ASSERT_EQ(post(kMachines, machineYaml("plain")).status, 201);
  const auto gone = del(kMachines + "/plain");
  ASSERT_EQ(gone.status, 200) << gone.body;
  EXPECT_EQ(gone.json()->getValue<std::string>("kind"), "Status");
  EXPECT_EQ(gone.json()->getValue<std::string>("status"), "Success");
  EXPECT_EQ(get(kMachines + "/plain").status, 404);
  EXPECT_EQ(del(kMachines + "/plain").status, 404);

  auto withFinalizer = machineJson("held", "default");
  withFinalizer.insert(withFinalizer.find(R"("namespace")"),
                       R"("finalizers":["maasmachine.infrastructure.cluster.x-k8s.io"],)");
  ASSERT_EQ(post(kMachines, withFinalizer, "application/json").status, 201);
  const auto pending = del(kMachines + "/held");
  ASSERT_EQ(pending.status, 202) << pending.body;
  const auto since = metaOf(pending.json(), "deletionTimestamp");
  EXPECT_FALSE(since.empty());
  EXPECT_EQ(get(kMachines + "/held").status, 200);
  const auto again = del(kMachines + "/held");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(metaOf(again.json(), "deletionTimestamp"), since);

  // The controller drops its finalizer: the object disappears.
  auto current = get(kMachines + "/held").json();
  current->getObject("metadata")->remove("finalizers");
  const auto last = put(kMachines + "/held", stringify(current));
  EXPECT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(get(kMachines + "/held").status, 404);
}

TEST_F(Resources, ClustersAndSecretsReplaceFromYamlAndDelete) {
  const auto cluster = post(kClusters, clusterYaml("c1"));
  ASSERT_EQ(cluster.status, 201) << cluster.body;
  const auto version = metaOf(cluster.json(), "resourceVersion");
  const auto yaml = clusterYaml("c1") + "  failureDomains: [zone-a, zone-b]\n" +
                    "---\n";  // a trailing document marker is still one object
  const auto withVersion = yaml.substr(0, yaml.find("spec:")) + "  resourceVersion: \"" + version +
                           "\"\n" + yaml.substr(yaml.find("spec:"));
  const auto replaced = put(kClusters + "/c1", withVersion, "application/yaml");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.json()->getObject("spec")->getArray("failureDomains")->size(), 2u);
  EXPECT_EQ(metaOf(replaced.json(), "generation"), "2");
  const auto immutable = put(kClusters + "/c1", stringify([&] {
                               auto changed = replaced.json();
                               changed->getObject("spec")->set("dnsDomain", "other.maas");
                               return changed;
                             }()));
  EXPECT_EQ(immutable.status, 422);
  EXPECT_EQ(immutable.message(), "spec.dnsDomain: field is immutable once set");
  EXPECT_EQ(del(kClusters + "/c1").status, 200);
  EXPECT_EQ(get(kClusters + "/c1").status, 404);

  ASSERT_EQ(post(kSecrets, secretYaml("s1", "aGVsbG8=")).status, 201);
  const auto secret = get(kSecrets + "/s1").json();
  const auto rotated =
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s1\n"
      "  resourceVersion: \"" +
      metaOf(secret, "resourceVersion") + "\"\nstringData:\n  value: new\n";
  const auto updated = put(kSecrets + "/s1", rotated, "application/yaml");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(
      store().get({"Secret", "default", "s1"})->getObject("data")->getValue<std::string>("value"),
      "bmV3");
  const auto list = get("/api/v1/secrets");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json()->getValue<std::string>("kind"), "SecretList");
  EXPECT_EQ(del(kSecrets + "/s1").status, 200);
  EXPECT_EQ(get(kSecrets + "/s1/status").status, 404);  // Secrets have no status subresource
}

TEST_F(Resources, UnknownPathsAndMethodsAreClear) {
  const auto unknown = get("/apis/infrastructure.cluster.x-k8s.io/v1beta1/namespaces/default/pods");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json()->getValue<std::string>("reason"), "NotFound");
  const auto statusWrite = put(kMachines + "/m1/status", machineJson("m1"));
  EXPECT_EQ(statusWrite.status, 405);
  EXPECT_NE(statusWrite.message().find("read-only"), std::string::npos);
  const auto crossPost = post(std::string(kInfra) + "/maasmachines", machineYaml("m1"));
  EXPECT_EQ(crossPost.status, 405);
  const auto missing = get(kMachines + "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.message(), "MaasMachine default/nope not found");
  const auto badName = get(kMachines + "/Not_A_Name");
  EXPECT_EQ(badName.status, 400);
  EXPECT_EQ(badName.message().rfind("name in the path: ", 0), 0u) << badName.message();
}

}  // namespace
}  // namespace maasprov::api::testing
