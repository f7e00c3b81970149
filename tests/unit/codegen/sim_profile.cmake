# cmake -DGENNC=<gennc> -DSOURCE=<net.gdsl> -DWORK=<folder> -P sim_profile.cmake
# `sim --profile` on the CPU back end: prints a table with a line per kernel of the step
# schedule (mean microseconds per step and share) and stores it in manifest.json.
include(${CMAKE_CURRENT_LIST_DIR}/run_checked.cmake)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
run(${GENNC} ${SOURCE} -o ${WORK}/sim --no-gpu)
run(${WORK}/sim --out ${WORK}/results --backend cpu --duration 20 --profile)
foreach(line "profile \\(mean per step\\)" "part +us/step +share" "cell\\.update +[0-9]+\\.[0-9]+ +[0-9]+\\.[0-9]%"
             "total +[0-9]+\\.[0-9]+ +100\\.0%")
  if(NOT output MATCHES "${line}")
    message(FATAL_ERROR "no line matching '${line}' in the output:\n${output}")
  endif()
endforeach()

file(READ ${WORK}/results/manifest.json manifest)
string(JSON parts LENGTH "${manifest}" timings profile)
string(JSON name GET "${manifest}" timings profile 0 name)
string(JSON share GET "${manifest}" timings profile 0 share)
if(parts LESS 1 OR NOT name MATCHES "\\.(update|inject|pre)$" OR share LESS 0)
  message(FATAL_ERROR "manifest.json has no profile of the step:\n${manifest}")
endif()
file(REMOVE_RECURSE ${WORK})
