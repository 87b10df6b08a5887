# CPack: one deb/rpm per component group. The version is PROJECT_VERSION, nothing else.
set(CPACK_PACKAGE_NAME maasprov)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "maasprov maintainers")
set(CPACK_PACKAGE_CONTACT "maasprov maintainers <maintainers@users.noreply.b-seed-fde3b496.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://maas.io")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_SOURCE_DIR}/cpack_per_generator.cmake)

# Component sets per format; cpack_per_generator.cmake assigns CPACK_COMPONENTS_ALL from these.
set(CPACK_MAASPROV_DEB_COMPONENTS daemon cli plugins_deb config_deb service_deb docs
                                  sdk testkit dev_docs)
set(CPACK_MAASPROV_RPM_COMPONENTS daemon cli plugins_rpm config_rpm service_rpm state_rpm docs
                                  sdk testkit dev_docs)

set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
foreach(component daemon cli plugins_deb plugins_rpm config_deb config_rpm service_deb
                  service_rpm state_rpm docs)
  string(TOUPPER ${component} C)
  set(CPACK_COMPONENT_${C}_GROUP maasprov)
endforeach()
foreach(component sdk testkit dev_docs)
  string(TOUPPER ${component} C)
  set(CPACK_COMPONENT_${C}_GROUP dev)
endforeach()
# Descriptions: the first line is the synopsis (deb) / summary (rpm), the rest the long text.
set(MAASPROV_SUMMARY "provisioning controller for Canonical MAAS")
set(MAASPROV_DESCRIPTION "maasprovd reconciles Kubernetes-style MaasMachine and MaasCluster objects
against a MAAS 3.x region API, with bare-metal, LXD and DNS endpoint backends
loaded as plugins. This package holds the daemon, its systemd unit and
configuration, the maasprov command-line client and the in-tree plugins.")
set(MAASPROV_DEV_SUMMARY "SDK for maasprov provisioning plugins")
set(MAASPROV_DEV_DESCRIPTION "The C ABI header and header-only C++ wrapper for out-of-tree maasprov
plugins, the CMake package (find_package(MaasProv)), the conformance checker
maasprov-plugin-check, the MAAS simulator maas-sim, an example plugin and the
plugin authoring guide.")
set(CPACK_DEBIAN_MAASPROV_DESCRIPTION "${MAASPROV_SUMMARY}\n${MAASPROV_DESCRIPTION}")
set(CPACK_DEBIAN_DEV_DESCRIPTION "${MAASPROV_DEV_SUMMARY}\n${MAASPROV_DEV_DESCRIPTION}")
set(CPACK_RPM_MAASPROV_PACKAGE_SUMMARY "${MAASPROV_SUMMARY}")
set(CPACK_RPM_MAASPROV_PACKAGE_DESCRIPTION "${MAASPROV_DESCRIPTION}")
set(CPACK_RPM_DEV_PACKAGE_SUMMARY "${MAASPROV_DEV_SUMMARY}")
set(CPACK_RPM_DEV_PACKAGE_DESCRIPTION "${MAASPROV_DEV_DESCRIPTION}")

# ---- Debian --------------------------------------------------------------------------------
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_MAASPROV_PACKAGE_NAME maasprov)
set(CPACK_DEBIAN_MAASPROV_PACKAGE_SECTION admin)
# adduser: postinst/postrm; the rest comes from shlibdeps.
set(CPACK_DEBIAN_MAASPROV_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_MAASPROV_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_SOURCE_DIR}/deb/conffiles
  ${CMAKE_CURRENT_SOURCE_DIR}/deb/postinst
  ${CMAKE_CURRENT_SOURCE_DIR}/deb/prerm
  ${CMAKE_CURRENT_SOURCE_DIR}/deb/postrm)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME maasprov-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "cmake, g++")

# ---- RPM -----------------------------------------------------------------------------------
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_LICENSE "LicenseRef-not-yet-chosen")
set(CPACK_RPM_PACKAGE_URL "https://maas.io")
# /etc and /var paths: not relocatable.
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_MAASPROV_PACKAGE_NAME maasprov)
set(CPACK_RPM_MAASPROV_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_MAASPROV_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_MAASPROV_PRE_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/pre.sh)
set(CPACK_RPM_MAASPROV_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/post.sh)
set(CPACK_RPM_MAASPROV_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/preun.sh)
set(CPACK_RPM_MAASPROV_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/postun.sh)
set(CPACK_RPM_MAASPROV_USER_FILELIST
  "%config(noreplace) %attr(0640,root,maasprov) /etc/maasprov/maasprovd.properties"
  "%dir %attr(0750,maasprov,maasprov) /var/lib/maasprov")
set(CPACK_RPM_DEV_PACKAGE_NAME maasprov-devel)
set(CPACK_RPM_DEV_PACKAGE_GROUP "Development/Libraries")
# Directories the distribution owns: the packages must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  /usr/sbin /usr/lib/systemd /usr/lib/systemd/system /var /var/lib /usr/share/cmake
  /usr/share/bash-completion /usr/share/bash-completion/completions
  /usr/share/man /usr/share/man/man1 /usr/share/man/man8)

include(CPack)
