# Installs the build in BUILD into a fresh prefix under WORK, builds tests/package against it with
# find_package(mlstrat), runs the program and compares what it prints with EXPECTED.
# Run by ctest (package_consumer): cmake -DBUILD=... -DWORK=... -DSOURCE=... -DEXPECTED=... -P
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
foreach(file include/mlstrat/metrics.hpp include/mlstrat/version.hpp lib/libmlstrat_core.a
             lib/cmake/mlstrat/mlstratConfig.cmake lib/cmake/mlstrat/mlstratConfigVersion.cmake
             bin/mlstrat share/man/man1/mlstrat.1 share/bash-completion/completions/mlstrat)
  if(NOT EXISTS ${WORK}/prefix/${file})
    message(FATAL_ERROR "the install has no ${file}")
  endif()
endforeach()
run(${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK}/build -G Ninja -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${WORK}/prefix)
run(${CMAKE_COMMAND} --build ${WORK}/build)
run(${WORK}/build/consumer)
string(STRIP "${out}" out)
if(NOT out STREQUAL EXPECTED)
  message(FATAL_ERROR "the consumer printed '${out}', not '${EXPECTED}'")
endif()
message(STATUS "${out}")
