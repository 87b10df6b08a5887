# CPACK_PROJECT_CONFIG_FILE: read by cpack once per generator. Each format takes its own copy
# of the files whose location differs (see install_rules.cmake).
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_COMPONENTS_ALL ${CPACK_MAASPROV_DEB_COMPONENTS})
elseif(CPACK_GENERATOR STREQUAL "RPM")
  set(CPACK_COMPONENTS_ALL ${CPACK_MAASPROV_RPM_COMPONENTS})
endif()

# CPackDeb would prepend the project-wide summary to each package's own description (whose
# first line is already its synopsis).
if(CPACK_GENERATOR STREQUAL "DEB")
  unset(CPACK_PACKAGE_DESCRIPTION_SUMMARY)
endif()
