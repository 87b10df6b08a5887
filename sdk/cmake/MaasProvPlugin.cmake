# maasprov_add_plugin(<name> SOURCES <src>... [OUTPUT_DIRECTORY <dir>] [INSTALL_DESTINATION <dir>]
#                     [NO_INSTALL])
#
# Builds <name>.so as a MODULE library the maasprov host can load:
#   - links MaasProv::sdk (the ABI header and the C++ wrapper; nothing else is needed),
#   - hides every symbol except the exported entry point (maasprov_plugin_entry),
#   - refuses to link with undefined symbols, so a missing function fails the build, not the load,
#   - no "lib" prefix: the file is <name>.so,
#   - installs into INSTALL_DESTINATION (default ${MAASPROV_PLUGIN_INSTALL_DIR}: for the
#     installed SDK, the daemon's default plugin directory) unless NO_INSTALL is given.
# OUTPUT_DIRECTORY defaults to ${MAASPROV_PLUGIN_OUTPUT_DIR} when the including project sets it
# (the maasprov tree does), so the daemon finds freshly built plugins in one place.
include_guard(GLOBAL)
include(GNUInstallDirs)

function(maasprov_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_INSTALL" "OUTPUT_DIRECTORY;INSTALL_DESTINATION"
                        "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "maasprov_add_plugin(${name}): SOURCES is required")
  endif()
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "maasprov_add_plugin(${name}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET MaasProv::sdk)
    message(FATAL_ERROR "maasprov_add_plugin(${name}): MaasProv::sdk not found; "
                        "call find_package(MaasProv CONFIG REQUIRED) first")
  endif()

  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE MaasProv::sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()

  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  elseif(DEFINED MAASPROV_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${MAASPROV_PLUGIN_OUTPUT_DIR})
  endif()

  if(NOT ARG_NO_INSTALL)
    set(destination ${ARG_INSTALL_DESTINATION})
    if(NOT destination)
      if(DEFINED MAASPROV_PLUGIN_INSTALL_DIR)
        set(destination ${MAASPROV_PLUGIN_INSTALL_DIR})
      else()
        set(destination ${CMAKE_INSTALL_LIBDIR}/maasprov/plugins)
      endif()
    endif()
    install(TARGETS ${name} LIBRARY DESTINATION ${destination} COMPONENT plugins)
  endif()
endfunction()
