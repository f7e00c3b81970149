# gennc_pytest(<suite> <entry> [ARGS <pytest arguments>...]): one ctest test, <suite>.<name>,
# running the pytest file test_<file>.py of the calling folder. <entry> is
# "name|labels|timeout[|selection]": labels separated by commas, the timeout in seconds on
# CI's two cores, and a pytest -k selection. A name with a dot runs part of the file named
# before the dot, so that ctest spreads one long file over the cores.
function(gennc_pytest suite entry)
  cmake_parse_arguments(ARG "" "" "ARGS" ${ARGN})
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 name)
  list(GET fields 1 labels)
  list(GET fields 2 timeout)
  string(REPLACE "," ";" labels "${labels}")
  string(REGEX REPLACE "\\..*" "" file ${name})
  set(selection)
  list(LENGTH fields field_count)
  if(field_count GREATER 3)
    list(GET fields 3 expression)
    set(selection -k ${expression})
  endif()
  add_test(NAME ${suite}.${name}
           COMMAND ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider
                   ${CMAKE_CURRENT_SOURCE_DIR}/test_${file}.py ${selection} ${ARG_ARGS}
                   --basetemp ${CMAKE_CURRENT_BINARY_DIR}/${name})
  set_tests_properties(${suite}.${name} PROPERTIES LABELS "${labels}" TIMEOUT ${timeout}
                       ENVIRONMENT PYTHONDONTWRITEBYTECODE=1)
endfunction()

# gennc_test_costs(<test>|<seconds>...): ctest's COST of tests of the calling folder, the
# CPU seconds each took on CI's two cores (bench/results/test_suite_time_*.md). Without
# timings of an earlier run (a fresh build folder), ctest starts the costliest first, so
# that no long test starts last and leaves one core idle at the end.
function(gennc_test_costs)
  foreach(entry IN LISTS ARGN)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    list(GET fields 1 cost)
    set_tests_properties(${name} PROPERTIES COST ${cost})
  endforeach()
endfunction()
