// CRUD, validation, generation rules and Kubernetes deletion semantics of the SQLite store.
#include <Poco/JSON/Array.h>
#include <Poco/RegularExpression.h>
#include <gtest/gtest.h>

#include "tests/store/store_test_support.hpp"

namespace maasprov::store {
namespace {

using testing::machine;
using testing::meta;
using testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::unique_ptr<SqliteStore> store =
      std::make_unique<SqliteStore>(SqliteStore::Options{.path = dir.file("state/store.db")});
};

TEST_F(SqliteStoreTest, CreateAssignsServerOwnedMetadata) {
  auto input = machine("default", "m1");
  input->getObject("metadata")->set("uid", "client-chosen");
  input->set("status", rules::parse(R"({"phase":"Running"})"));
  const auto created = store->create(input);

  const Poco::RegularExpression uuidV4(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  EXPECT_TRUE(uuidV4.match(meta(created, "uid"))) << meta(created, "uid");
  EXPECT_EQ(meta(created, "generation"), "1");
  EXPECT_GT(parseResourceVersion(meta(created, "resourceVersion")), 0u);
  const Poco::RegularExpression rfc3339Utc(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");
  EXPECT_TRUE(rfc3339Utc.match(meta(created, "creationTimestamp")))
      << meta(created, "creationTimestamp");
  EXPECT_FALSE(created->has("status"));
  // The caller's document is left alone.
  EXPECT_EQ(meta(input, "uid"), "client-chosen");

  const auto fetched = store->get({"MaasMachine", "default", "m1"});
  EXPECT_EQ(rules::canonical(fetched), rules::canonical(created));
}

TEST_F(SqliteStoreTest, CreateTwiceIsAlreadyExistsButOtherNamespaceIsFine) {
  store->create(machine("default", "m1"));
  try {
    store->create(machine("default", "m1"));
    FAIL() << "expected AlreadyExists";
  } catch (const AlreadyExists& e) {
    EXPECT_STREQ(e.what(), "MaasMachine default/m1 already exists");
  }
  EXPECT_NO_THROW(store->create(machine("other", "m1")));
}

TEST_F(SqliteStoreTest, BadDocumentsAreRefusedNamingTheField) {
  auto expectInvalid = [&](const std::string& json, const std::string& field) {
    try {
      store->create(rules::parse(json));
      ADD_FAILURE() << "accepted " << json;
    } catch (const Invalid& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  expectInvalid(R"({"apiVersion":"v1","metadata":{"name":"a"}})", "kind");
  expectInvalid(R"({"kind":"K","apiVersion":"v1","metadata":{}})", "metadata.name");
  expectInvalid(R"({"kind":"K","apiVersion":"v1","metadata":{"name":"a","labels":{"x":1}}})",
                "metadata.labels.x");
  expectInvalid(R"({"kind":"K","apiVersion":"v1","metadata":{"name":"a","finalizers":[""]}})",
                "metadata.finalizers[0]");
  expectInvalid(R"({"kind":"K","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"7"}})",
                "metadata.resourceVersion");
  EXPECT_THROW(rules::parse("[1,2]"), Invalid);
}

TEST_F(SqliteStoreTest, GetOfMissingObjectIsNotFound) {
  try {
    store->get({"MaasMachine", "default", "nope"});
    FAIL() << "expected NotFound";
  } catch (const NotFound& e) {
    EXPECT_STREQ(e.what(), "MaasMachine default/nope not found");
  }
  EXPECT_THROW(store->update(machine("default", "nope")), NotFound);
  EXPECT_THROW(store->remove({"MaasMachine", "default", "nope"}), NotFound);
}

TEST_F(SqliteStoreTest, GenerationFollowsSpecOnly) {
  auto object = store->create(machine("default", "m1"));
  const auto uid = meta(object, "uid");
  const auto created = meta(object, "creationTimestamp");

  object->getObject("metadata")->set("labels", rules::parse(R"({"tier":"web"})"));
  object = store->update(object);
  EXPECT_EQ(meta(object, "generation"), "1") << "a label change is not a spec change";

  object->getObject("spec")->set("provisioningMode", "baremetal");
  object = store->update(object);
  EXPECT_EQ(meta(object, "generation"), "2");

  object->set("status", rules::parse(R"({"ready":true})"));
  object = store->updateStatus(object);
  EXPECT_EQ(meta(object, "generation"), "2") << "status writes never bump generation";
  EXPECT_EQ(meta(object, "uid"), uid);
  EXPECT_EQ(meta(object, "creationTimestamp"), created);
}

TEST_F(SqliteStoreTest, UpdateKeepsServerOwnedFieldsAndStatus) {
  auto object = store->create(machine("default", "m1"));
  object->set("status", rules::parse(R"({"ready":true})"));
  object = store->updateStatus(object);

  auto edit = rules::deepCopy(object);
  edit->getObject("metadata")->set("uid", "forged");
  edit->getObject("metadata")->set("generation", 99);
  edit->set("status", rules::parse(R"({"ready":false})"));
  edit->set("data", rules::parse(R"({"userData":"I2Nsb3VkLWNvbmZpZw=="})"));
  const auto updated = store->update(edit);

  EXPECT_EQ(meta(updated, "uid"), meta(object, "uid"));
  EXPECT_EQ(meta(updated, "generation"), "1");
  EXPECT_TRUE(updated->getObject("status")->getValue<bool>("ready"));
  EXPECT_EQ(updated->getObject("data")->getValue<std::string>("userData"), "I2Nsb3VkLWNvbmZpZw==");
}

TEST_F(SqliteStoreTest, UpdateStatusChangesOnlyStatus) {
  auto object = store->create(machine("default", "m1"));
  auto edit = rules::deepCopy(object);
  edit->getObject("spec")->set("provisioningMode", "baremetal");
  edit->set("status", rules::parse(R"({"phase":"Provisioning"})"));
  const auto updated = store->updateStatus(edit);
  EXPECT_EQ(updated->getObject("spec")->getValue<std::string>("provisioningMode"), "lxd");
  EXPECT_EQ(updated->getObject("status")->getValue<std::string>("phase"), "Provisioning");
}

TEST_F(SqliteStoreTest, StaleWriteIsConflictNamingBothVersions) {
  const auto first = store->create(machine("default", "m1"));
  auto mine = rules::deepCopy(first);
  auto theirs = rules::deepCopy(first);
  theirs->getObject("spec")->set("provisioningMode", "baremetal");
  const auto won = store->update(theirs);

  mine->getObject("spec")->set("provisioningMode", "vm");
  try {
    store->update(mine);
    FAIL() << "expected Conflict";
  } catch (const Conflict& e) {
    EXPECT_EQ(e.givenVersion(), meta(first, "resourceVersion"));
    EXPECT_EQ(e.currentVersion(), meta(won, "resourceVersion"));
    const std::string message = e.what();
    EXPECT_NE(message.find("MaasMachine default/m1"), std::string::npos) << message;
    EXPECT_NE(message.find(e.givenVersion()), std::string::npos) << message;
    EXPECT_NE(message.find(e.currentVersion()), std::string::npos) << message;
  }
  EXPECT_THROW(store->updateStatus(mine), Conflict);
  EXPECT_EQ(store->get(testing::keyOf(first))
                ->getObject("spec")
                ->getValue<std::string>("provisioningMode"),
            "baremetal");

  mine->getObject("metadata")->remove("resourceVersion");
  EXPECT_THROW(store->update(mine), Invalid) << "an update must say what it is based on";
}

TEST_F(SqliteStoreTest, WriteThatChangesNothingKeepsTheVersion) {
  auto object = store->create(machine("default", "m1"));
  object->set("status", rules::parse(R"({"phase":"Ready"})"));
  object = store->updateStatus(object);
  const auto version = meta(object, "resourceVersion");
  EXPECT_EQ(meta(store->updateStatus(object), "resourceVersion"), version);
  EXPECT_EQ(meta(store->update(object), "resourceVersion"), version);
  // The same content built with keys in another order is still no change.
  auto reordered = rules::deepCopy(object);
  reordered->set("spec", rules::parse(R"({"provisioningMode":"lxd"})"));
  EXPECT_EQ(meta(store->update(reordered), "resourceVersion"), version);
}

TEST_F(SqliteStoreTest, StatusWriteIsANoOpOnlyWhenTheStatusIsTheSame) {
  auto object = store->create(machine("default", "m1"));
  const auto created = meta(object, "resourceVersion");
  EXPECT_EQ(meta(store->updateStatus(object), "resourceVersion"), created) << "absent twice";
  object->set("status", rules::parse(R"({"phase":"Ready","conditions":[{"a":1,"b":2}]})"));
  object = store->updateStatus(object);
  const auto ready = meta(object, "resourceVersion");
  EXPECT_NE(ready, created);
  // Keys in another order, and another spec (which status writes ignore): no change.
  object->set("status", rules::parse(R"({"conditions":[{"b":2,"a":1}],"phase":"Ready"})"));
  object->set("spec", rules::parse(R"({"provisioningMode":"bare-metal"})"));
  EXPECT_EQ(meta(store->updateStatus(object), "resourceVersion"), ready);
  EXPECT_EQ(store->get(testing::keyOf(object))
                ->getObject("spec")
                ->getValue<std::string>("provisioningMode"),
            "lxd");
  // A changed element deep inside is a change; so is removing the status.
  object->set("status", rules::parse(R"({"phase":"Ready","conditions":[{"a":1,"b":3}]})"));
  object = store->updateStatus(object);
  EXPECT_NE(meta(object, "resourceVersion"), ready);
  object->remove("status");
  const auto removed = store->updateStatus(object);
  EXPECT_NE(meta(removed, "resourceVersion"), meta(object, "resourceVersion"));
  EXPECT_FALSE(store->get(testing::keyOf(object))->has("status"));
}

TEST_F(SqliteStoreTest, RemoveWithoutFinalizersDeletesAtOnce) {
  const auto object = store->create(machine("default", "m1"));
  const auto result = store->remove(testing::keyOf(object));
  EXPECT_TRUE(result.deleted);
  EXPECT_GT(parseResourceVersion(meta(result.object, "resourceVersion")),
            parseResourceVersion(meta(object, "resourceVersion")));
  EXPECT_THROW(store->get(testing::keyOf(object)), NotFound);
  EXPECT_NO_THROW(store->create(machine("default", "m1"))) << "the name is free again";
}

TEST_F(SqliteStoreTest, FinalizersHoldDeletionUntilTheLastIsRemoved) {
  auto input = machine("default", "m1");
  testing::setMeta(input, "finalizers",
                   R"(["maasmachine.infrastructure.cluster.x-k8s.io","other"])");
  auto object = store->create(input);
  const auto key = testing::keyOf(object);

  auto first = store->remove(key);
  EXPECT_FALSE(first.deleted);
  const auto stamp = meta(first.object, "deletionTimestamp");
  EXPECT_FALSE(stamp.empty());
  EXPECT_EQ(meta(store->get(key), "deletionTimestamp"), stamp);

  auto again = store->remove(key);
  EXPECT_FALSE(again.deleted);
  EXPECT_EQ(meta(again.object, "resourceVersion"), meta(first.object, "resourceVersion"))
      << "a second delete changes nothing";

  object = store->get(key);
  testing::setMeta(object, "finalizers", R"(["other","new"])");
  EXPECT_THROW(store->update(object), Invalid) << "no new finalizers while deleting";

  testing::setMeta(object, "finalizers", R"(["other"])");
  object->getObject("metadata")->remove("deletionTimestamp");  // clients cannot undo a delete
  object = store->update(object);
  EXPECT_EQ(meta(store->get(key), "deletionTimestamp"), stamp);

  object->set("status", rules::parse(R"({"phase":"Deleting"})"));
  object = store->updateStatus(object);

  object->getObject("metadata")->remove("finalizers");
  const auto last = store->update(object);
  EXPECT_EQ(meta(last, "deletionTimestamp"), stamp);
  EXPECT_THROW(store->get(key), NotFound);
}

TEST_F(SqliteStoreTest, ListByNamespaceOrAllWithSelector) {
  for (const auto& [ns, name, role] : {std::tuple{"b", "m2", "worker"}, std::tuple{"a", "m1", "cp"},
                                       std::tuple{"a", "m3", "worker"}}) {
    auto object = machine(ns, name);
    testing::setMeta(object, "labels", std::string(R"({"role":")") + role + R"("})");
    store->create(object);
  }
  auto cluster = machine("a", "c1");
  cluster->set("kind", "MaasCluster");
  store->create(cluster);

  auto names = [](const ListResult& result) {
    std::vector<std::string> out;
    for (const auto& item : result.items)
      out.push_back(meta(item, "namespace") + "/" + meta(item, "name"));
    return out;
  };
  const auto all = store->list("MaasMachine", std::nullopt);
  EXPECT_EQ(names(all), (std::vector<std::string>{"a/m1", "a/m3", "b/m2"}));
  EXPECT_EQ(all.resourceVersion, 4u);
  EXPECT_EQ(names(store->list("MaasMachine", "a")), (std::vector<std::string>{"a/m1", "a/m3"}));
  EXPECT_EQ(names(store->list(
                "MaasMachine", std::nullopt,
                [](const Labels& l) { return l.contains("role") && l.at("role") == "worker"; })),
            (std::vector<std::string>{"a/m3", "b/m2"}));
  EXPECT_TRUE(store->list("MaasMachine", "empty").items.empty());
  EXPECT_EQ(names(store->list("MaasCluster", std::nullopt)), (std::vector<std::string>{"a/c1"}));
}

TEST_F(SqliteStoreTest, ReopenedStoreHasEverythingAndContinuesVersions) {
  const auto object = store->create(machine("default", "m1"));
  store.reset();
  store = std::make_unique<SqliteStore>(SqliteStore::Options{.path = dir.file("state/store.db")});
  EXPECT_EQ(store->schemaVersion(), 1);
  EXPECT_EQ(rules::canonical(store->get(testing::keyOf(object))), rules::canonical(object));
  const auto next = store->create(machine("default", "m2"));
  EXPECT_GT(parseResourceVersion(meta(next, "resourceVersion")),
            parseResourceVersion(meta(object, "resourceVersion")));
}

TEST_F(SqliteStoreTest, SecondOpenerOfTheSameFileIsRefused) {
  try {
    SqliteStore second(SqliteStore::Options{.path = dir.file("state/store.db")});
    FAIL() << "two stores opened the same file";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteStoreTest, FileIsPrivateToItsOwner) {
  const auto perms = std::filesystem::status(dir.file("state/store.db")).permissions();
  EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
}

}  // namespace
}  // namespace maasprov::store
