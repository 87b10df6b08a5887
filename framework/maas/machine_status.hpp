// MAAS node status numbers (maasserver/enum.py NODE_STATUS), as sent in a machine's "status".
//
// Constants and pure functions; thread-safe.
#pragma once

namespace maasprov::maas::status {

inline constexpr int kNew = 0;
inline constexpr int kCommissioning = 1;
inline constexpr int kFailedCommissioning = 2;
inline constexpr int kMissing = 3;
inline constexpr int kReady = 4;
inline constexpr int kReserved = 5;
inline constexpr int kDeployed = 6;
inline constexpr int kRetired = 7;
inline constexpr int kBroken = 8;
inline constexpr int kDeploying = 9;
inline constexpr int kAllocated = 10;
inline constexpr int kFailedDeployment = 11;
inline constexpr int kReleasing = 12;
inline constexpr int kFailedReleasing = 13;
inline constexpr int kDiskErasing = 14;
inline constexpr int kFailedDiskErasing = 15;
inline constexpr int kRescueMode = 16;
inline constexpr int kEnteringRescueMode = 17;
inline constexpr int kFailedEnteringRescueMode = 18;
inline constexpr int kExitingRescueMode = 19;
inline constexpr int kFailedExitingRescueMode = 20;
inline constexpr int kTesting = 21;
inline constexpr int kFailedTesting = 22;

// True for the statuses MAAS names "Failed ...".
constexpr bool isFailed(int s) {
  return s == kFailedCommissioning || s == kFailedDeployment || s == kFailedReleasing ||
         s == kFailedDiskErasing || s == kFailedEnteringRescueMode ||
         s == kFailedExitingRescueMode || s == kFailedTesting;
}

}  // namespace maasprov::maas::status
