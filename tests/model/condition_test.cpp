// Conditions: lastTransitionTime moves only when the status flips, and unchanged writes are
// reported as such so the controller can skip them.
#include "framework/model/condition.hpp"

#include <gtest/gtest.h>

namespace maasprov::model {
namespace {

const Time kT1 = *parseTime("2024-05-01T12:00:00Z");
const Time kT2 = *parseTime("2024-05-01T12:10:00Z");
const Time kT3 = *parseTime("2024-05-01T12:20:00Z");

TEST(Conditions, TransitionTimeMovesOnlyWithStatus) {
  std::vector<Condition> conditions;
  EXPECT_TRUE(
      setCondition(conditions, {"LXDVMCreated", "False", "Info", "Composing", "", {}}, kT1));
  EXPECT_EQ(conditions.at(0).lastTransitionTime, kT1);
  // Same status, new message: the condition changes but keeps its transition time.
  EXPECT_TRUE(
      setCondition(conditions, {"LXDVMCreated", "False", "Info", "Composing", "50%", {}}, kT2));
  EXPECT_EQ(conditions.at(0).lastTransitionTime, kT1);
  EXPECT_EQ(conditions.at(0).message, "50%");
  // Identical: nothing to write.
  EXPECT_FALSE(
      setCondition(conditions, {"LXDVMCreated", "False", "Info", "Composing", "50%", {}}, kT3));
  EXPECT_TRUE(setCondition(conditions, {"LXDVMCreated", "True", "", "", "", {}}, kT3));
  EXPECT_EQ(conditions.at(0).lastTransitionTime, kT3);
  EXPECT_EQ(conditions.size(), 1u);
}

TEST(Conditions, FindAndIsTrue) {
  std::vector<Condition> conditions;
  EXPECT_EQ(findCondition(conditions, kConditionReady), nullptr);
  EXPECT_FALSE(isConditionTrue(conditions, kConditionReady));
  setCondition(conditions, {std::string(kConditionMachineDeployed), "True", "", "", "", {}}, kT1);
  setCondition(conditions, {std::string(kConditionReady), "False", "Warning", "Waiting", "", {}},
               kT1);
  EXPECT_TRUE(isConditionTrue(conditions, kConditionMachineDeployed));
  EXPECT_FALSE(isConditionTrue(conditions, kConditionReady));
  ASSERT_NE(findCondition(conditions, kConditionReady), nullptr);
  EXPECT_EQ(findCondition(conditions, kConditionReady)->reason, "Waiting");
}

TEST(Time, ParsesRfc3339AndRejectsTheRest) {
  EXPECT_EQ(formatTime(*parseTime("2024-05-01T12:00:00Z")), "2024-05-01T12:00:00Z");
  EXPECT_EQ(formatTime(*parseTime("2024-05-01T12:00:00.999-01:30")), "2024-05-01T13:30:00Z");
  EXPECT_EQ(formatTime(*parseTime("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00Z");
  for (const char* bad :
       {"2024-05-01", "2024-05-01 12:00:00Z", "2024-05-01T12:00:00", "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-05-01T25:00:00Z", "yesterday", ""}) {
    EXPECT_FALSE(parseTime(bad)) << bad;
  }
}

}  // namespace
}  // namespace maasprov::model
