# Checks that the build enforces the library layering
# (cmake/HartslagHeaders.cmake): compiles a one-line file that includes
# HEADER with exactly the flags of SOURCE's target (from
# compile_commands.json), and expects it to compile (EXPECT=pass) or to fail
# because the header is not on that target's include path (EXPECT=fail).
#
#   cmake -DCOMPILE_COMMANDS=<build>/compile_commands.json -DSOURCE=clients/cli/main.cc
#         -DHEADER=services/common/db.h -DEXPECT=fail -DWORK=<dir> -P layering_check.cmake
foreach(var COMPILE_COMMANDS SOURCE HEADER EXPECT WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "layering_check: ${var} is not set")
  endif()
endforeach()

file(READ "${COMPILE_COMMANDS}" json)
string(JSON count LENGTH "${json}")
math(EXPR last "${count} - 1")
set(command "")
foreach(i RANGE ${last})
  string(JSON file GET "${json}" ${i} file)
  if(file MATCHES "/${SOURCE}$")
    string(JSON command GET "${json}" ${i} command)
    string(JSON directory GET "${json}" ${i} directory)
    break()
  endif()
endforeach()
if(command STREQUAL "")
  message(FATAL_ERROR "layering_check: ${SOURCE} is not in ${COMPILE_COMMANDS}")
endif()

# The same compiler and flags, without the object file and the source.
separate_arguments(args UNIX_COMMAND "${command}")
set(flags "")
set(skip FALSE)
foreach(arg IN LISTS args)
  if(skip)
    set(skip FALSE)
  elseif(arg STREQUAL "-o" OR arg STREQUAL "-c" OR arg STREQUAL "-MT" OR arg STREQUAL "-MF")
    set(skip TRUE)
  elseif(NOT arg STREQUAL "-MD")
    list(APPEND flags "${arg}")
  endif()
endforeach()

string(MAKE_C_IDENTIFIER "${SOURCE}-${HEADER}" name)
set(probe "${WORK}/${name}.cc")
file(WRITE "${probe}" "#include \"${HEADER}\"\n")
execute_process(COMMAND ${flags} -fsyntax-only "${probe}"
  WORKING_DIRECTORY "${directory}" RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)

if(EXPECT STREQUAL "pass")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SOURCE}'s target cannot include ${HEADER} but should:\n${out}")
  endif()
  message(STATUS "${SOURCE}'s target includes ${HEADER}, as it may")
else()
  # Failing for another reason would prove nothing: it must be the include.
  string(REGEX MATCH "${HEADER}: No such file or directory|'${HEADER}' file not found" missing "${out}")
  if(result EQUAL 0 OR missing STREQUAL "")
    message(FATAL_ERROR "${SOURCE}'s target must not reach ${HEADER}, but:\n(exit ${result})\n${out}")
  endif()
  message(STATUS "${SOURCE}'s target cannot include ${HEADER}: ${missing}")
endif()
