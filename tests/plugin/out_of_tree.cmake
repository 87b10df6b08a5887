# The out-of-tree test: install the SDK to a staging prefix, build sdk/examples as a separate
# project that knows only CMAKE_PREFIX_PATH, and run the installed maasprov-plugin-check on it.
# Run with -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=...
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "out_of_tree.cmake: -D${var}=... is required")
  endif()
endforeach()
set(stage ${WORK_DIR}/stage)
set(example_build ${WORK_DIR}/example-build)
file(REMOVE_RECURSE ${WORK_DIR})

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "out-of-tree ${step} failed (${rc})")
  endif()
endfunction()

run(install ${CMAKE_COMMAND} --install ${BUILD_DIR} --component sdk --prefix ${stage})
run(configure ${CMAKE_COMMAND} -S ${SOURCE_DIR}/sdk/examples -B ${example_build}
    -DCMAKE_PREFIX_PATH=${stage} -DCMAKE_BUILD_TYPE=Release)
run(build ${CMAKE_COMMAND} --build ${example_build} -j2)
if(NOT EXISTS ${example_build}/example-tagged.so)
  message(FATAL_ERROR "the example did not produce example-tagged.so")
endif()
run(check ${stage}/bin/maasprov-plugin-check ${example_build}/example-tagged.so)

# `cmake --install` of a plugin built with the installed SDK puts it in the directory the daemon
# built with that SDK searches by default (DESTDIR keeps the test inside WORK_DIR).
if(DEFINED DEFAULT_PLUGIN_DIR)
  set(destdir ${WORK_DIR}/destdir)
  run(install-plugin ${CMAKE_COMMAND} -E env DESTDIR=${destdir}
      ${CMAKE_COMMAND} --install ${example_build})
  if(NOT EXISTS ${destdir}${DEFAULT_PLUGIN_DIR}/example-tagged.so)
    message(FATAL_ERROR "cmake --install did not put example-tagged.so in the daemon's default "
                        "plugin directory ${DEFAULT_PLUGIN_DIR} (under DESTDIR ${destdir})")
  endif()
endif()
