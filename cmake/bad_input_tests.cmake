# The bad-input corpus: one CTest per tests/bad_inputs/cases/NAME.case, named bad_input.NAME,
# each run by tests/bad_inputs/run_case.sh in a fresh directory under a time limit (a hang fails).
# Cases that call completed_run share one tiny completed run (fixture bad_input_setup.completed_run,
# trained once per ctest invocation). Include after the localsgd-train and localsgd-analyze targets.
get_filename_component(LOCALSGD_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
if(NOT BUILD_TESTING)
  return()
endif()

set(_bad_input_dir ${LOCALSGD_ROOT}/tests/bad_inputs)
set(_bad_input_run ${CMAKE_BINARY_DIR}/bad_inputs/completed_run)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/bad_inputs)
add_test(NAME bad_input_setup.completed_run
         COMMAND bash ${_bad_input_dir}/run_case.sh --make-run ${_bad_input_run} $<TARGET_FILE:localsgd-train>)
set_tests_properties(bad_input_setup.completed_run PROPERTIES TIMEOUT 120
  FIXTURES_SETUP localsgd_bad_input_run LABELS bad_input)

file(GLOB _bad_input_cases CONFIGURE_DEPENDS ${_bad_input_dir}/cases/*.case)
foreach(case ${_bad_input_cases})
  get_filename_component(name ${case} NAME_WE)
  # A case's own edits (e.g. a first call of completed_run) change its test's properties.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${case})
  add_test(NAME bad_input.${name}
           COMMAND bash ${_bad_input_dir}/run_case.sh ${case} $<TARGET_FILE:localsgd-train>
                   $<TARGET_FILE:localsgd-analyze>)
  # 77: the case needs root (a tmpfs mount) and this is not root; CTest reports it as skipped.
  set_tests_properties(bad_input.${name} PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS bad_input
    ENVIRONMENT "BAD_INPUT_RUN=${_bad_input_run}")
  file(STRINGS ${case} _uses_run REGEX "completed_run")
  if(_uses_run)
    set_tests_properties(bad_input.${name} PROPERTIES FIXTURES_REQUIRED localsgd_bad_input_run)
  endif()
endforeach()
