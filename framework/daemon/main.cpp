// maasprovd: the maasprov controller daemon (docs/configuration.md, docs/controller.md).
#include <Poco/Util/ServerApplication.h>

#include <iostream>

#include "framework/daemon/daemon_app.hpp"

POCO_SERVER_MAIN(maasprov::daemon::DaemonApp)
