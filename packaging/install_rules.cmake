# What the packages contain beyond what the targets' own CMakeLists already install
# (maasprovd and the maasprov CLI: COMPONENT daemon; SDK headers, CMake package, maasprov-plugin-check: sdk;
# maas-sim: testkit). Paths are absolute or relative to the package prefix /usr.

# The CLI installs itself (framework/cli, COMPONENT daemon); its bash completion lives here.
if(TARGET maasprov AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/completion/maasprov.bash)
  install(FILES completion/maasprov.bash DESTINATION share/bash-completion/completions
          RENAME maasprov COMPONENT cli)
endif()

# Plugins: the plugins' own rule uses the build's libdir (lib under the default /usr/local
# prefix), not the distribution's, so the packages install them where each format expects.
foreach(plugin baremetal dns lxd)
  if(TARGET ${plugin})
    install(TARGETS ${plugin} LIBRARY DESTINATION ${MAASPROV_DEB_LIBDIR}/maasprov/plugins
            COMPONENT plugins_deb)
    install(TARGETS ${plugin} LIBRARY DESTINATION ${MAASPROV_RPM_LIBDIR}/maasprov/plugins
            COMPONENT plugins_rpm)
  endif()
endforeach()

# The packaged configuration names that plugin directory, then the daemon's compiled-in default
# (the build's prefix, /usr/local/lib/... for an ordinary build): where the packaged SDK's
# maasprov_add_plugin() installs third-party plugins. Missing, the default is only a warning.
foreach(format deb rpm)
  string(TOUPPER ${format} FORMAT)
  set(MAASPROV_PACKAGE_PLUGIN_DIR /usr/${MAASPROV_${FORMAT}_LIBDIR}/maasprov/plugins)
  set(MAASPROV_PACKAGE_PLUGIN_DIRS ${MAASPROV_PACKAGE_PLUGIN_DIR})
  if(NOT MAASPROV_DEFAULT_PLUGIN_DIR STREQUAL MAASPROV_PACKAGE_PLUGIN_DIR)
    string(APPEND MAASPROV_PACKAGE_PLUGIN_DIRS ", ${MAASPROV_DEFAULT_PLUGIN_DIR}")
  endif()
  configure_file(maasprovd.properties.in ${format}/maasprovd.properties @ONLY)
  # 0640: maasprovd refuses a configuration others may read. Its group becomes maasprov (the
  # daemon's) in rpm's %attr and deb's postinst, once that group exists.
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${format}/maasprovd.properties
          DESTINATION /etc/maasprov COMPONENT config_${format}
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endforeach()

# Debian bookworm still ships units in /lib (lintian flags /usr/lib); RPM uses /usr/lib.
install(FILES maasprovd.service DESTINATION /lib/systemd/system COMPONENT service_deb)
install(FILES maasprovd.service DESTINATION /usr/lib/systemd/system COMPONENT service_rpm)

# RPM owns the state directory with %attr (see cpack_config.cmake); dpkg cannot set an owner,
# so on Debian postinst creates it.
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/empty)
install(DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/empty/ DESTINATION /var/lib/maasprov
        COMPONENT state_rpm)

# copyright and changelog.gz in every package's doc directory (Debian policy 12.5, 12.7).
execute_process(COMMAND gzip -9nc ${CMAKE_CURRENT_SOURCE_DIR}/changelog
                OUTPUT_FILE ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS changelog)
foreach(package maasprov maasprov-dev)
  if(package STREQUAL "maasprov")
    set(component docs)
  else()
    set(component dev_docs)
  endif()
  install(FILES copyright ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
          DESTINATION share/doc/${package} COMPONENT ${component})
endforeach()

# Manual pages, gzipped at configure time like the changelog.
set(man_pages maasprovd.8:docs maas-sim.1:dev_docs maasprov-plugin-check.1:dev_docs)
if(TARGET maasprov)
  list(APPEND man_pages maasprov.1:docs)
endif()
foreach(entry ${man_pages})
  string(REPLACE ":" ";" entry ${entry})
  list(GET entry 0 page)
  list(GET entry 1 component)
  string(REGEX REPLACE ".*\\." "" section ${page})
  execute_process(COMMAND gzip -9nc ${CMAKE_CURRENT_SOURCE_DIR}/man/${page}
                  OUTPUT_FILE ${CMAKE_CURRENT_BINARY_DIR}/${page}.gz COMMAND_ERROR_IS_FATAL ANY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS man/${page})
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${page}.gz DESTINATION share/man/man${section}
          COMPONENT ${component})
endforeach()

# The SDK package's documentation: the authoring guide and the example plugin's sources.
install(FILES ${PROJECT_SOURCE_DIR}/docs/plugin-authoring.md
        DESTINATION share/doc/maasprov-dev COMPONENT dev_docs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/examples/
        DESTINATION share/doc/maasprov-dev/examples COMPONENT dev_docs)
