# gennc_warnings(target): the warning set for the project's own code (generated and
# third-party code is compiled without it).
function(gennc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter -Werror=switch)
endfunction()
