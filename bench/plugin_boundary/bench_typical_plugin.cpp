// bench-typical.so: TypicalProvisioner behind the C ABI, built with the SDK only
// (maasprov_add_plugin), exactly as any third-party plugin.
#include "typical_provisioner.hpp"

MAASPROV_PLUGIN(maasprov::bench::TypicalProvisioner, "bench-typical", "1.0.0",
                maasprov::Kind::MachineProvisioner, "bench-typical")
