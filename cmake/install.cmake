# `cmake --install build --prefix PREFIX` puts in PREFIX: include/mlstrat/ (the public headers and
# the generated version.hpp), lib/ (the static libraries), lib/cmake/mlstrat/ (mlstratConfig.cmake,
# its version file and the exported targets), bin/ (mlstrat, mlstrat-train), the man page and the
# bash completion. A consumer writes:
#
#     find_package(mlstrat 0.1 REQUIRED)
#     target_link_libraries(app PRIVATE mlstrat::core)   # mlstrat::train for the LibTorch engine
#
# The libraries are static, so the config file finds the packages they link (Debian's, as
# scripts/bootstrap installs them) again in the consumer's project.

include(CMakePackageConfigHelpers)

set(MLSTRAT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mlstrat)
set_target_properties(mlstrat_core PROPERTIES EXPORT_NAME core)
set_target_properties(mlstrat_options PROPERTIES EXPORT_NAME options)
set_target_properties(mlstrat_report_assets PROPERTIES EXPORT_NAME report_assets)
set(MLSTRAT_EXPORTED mlstrat_core mlstrat_options mlstrat_report_assets)
if(MLSTRAT_WITH_TRAIN)
  set_target_properties(mlstrat_train PROPERTIES EXPORT_NAME train)
  list(APPEND MLSTRAT_EXPORTED mlstrat_train)
endif()
install(TARGETS ${MLSTRAT_EXPORTED} EXPORT mlstratTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mlstrat
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/include/mlstrat/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mlstrat)
install(EXPORT mlstratTargets NAMESPACE mlstrat:: DESTINATION ${MLSTRAT_CMAKE_DIR})

set(MLSTRAT_PACKAGE_WITH_TRAIN ${MLSTRAT_WITH_TRAIN})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mlstratConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/mlstratConfig.cmake
                              INSTALL_DESTINATION ${MLSTRAT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mlstratConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mlstratConfig.cmake
              ${PROJECT_BINARY_DIR}/mlstratConfigVersion.cmake
        DESTINATION ${MLSTRAT_CMAKE_DIR})

install(TARGETS mlstrat RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(MLSTRAT_WITH_TRAIN)
  install(TARGETS mlstrat-train RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# The man page, made from mlstrat --help by help2man (scripts/bootstrap installs it), and the bash
# completion.
find_program(MLSTRAT_HELP2MAN help2man)
if(MLSTRAT_HELP2MAN)
  set(MLSTRAT_MAN_PAGE ${PROJECT_BINARY_DIR}/man/mlstrat.1)
  add_custom_command(
    OUTPUT ${MLSTRAT_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${MLSTRAT_HELP2MAN} --no-info --no-discard-stderr
            --name "structure a machine-learning project the way the course teaches"
            --output ${MLSTRAT_MAN_PAGE} $<TARGET_FILE:mlstrat>
    DEPENDS mlstrat
    COMMENT "Writing the man page mlstrat.1 (help2man)"
    VERBATIM)
  add_custom_target(mlstrat_man ALL DEPENDS ${MLSTRAT_MAN_PAGE})
  install(FILES ${MLSTRAT_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man is missing: no man page (scripts/bootstrap installs it)")
endif()
install(FILES ${PROJECT_SOURCE_DIR}/apps/mlstrat/completion.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME mlstrat)
