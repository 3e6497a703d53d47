# Which headers a target may include, enforced by the build.
#
# No target has the repository root on its include path. Instead every target
# lists its headers, and each list is staged at configure time as symbolic
# links under ${CMAKE_BINARY_DIR}/include/<target>/<path from the repo root>:
#
#   hartslag_public_headers(hartslag_db db.h migrations.h outbox.h)
#     -> build/include/hartslag_db/services/common/db.h -> <source>/services/common/db.h
#
# The staged directory is a PUBLIC include directory of the target, so code
# keeps its include lines (#include "services/common/db.h") but finds only
# the headers of its own target and of the libraries it links: a client that
# includes a server header fails to compile. hartslag_private_headers does the
# same for headers only the target's own sources use (an executable's
# headers), as a PRIVATE include directory (include/<target>.private).
#
# Header paths are relative to the calling CMakeLists.txt's directory.

function(_hartslag_stage_headers target scope)
  if(scope STREQUAL "PUBLIC")
    set(root "${CMAKE_BINARY_DIR}/include/${target}")
  else()
    set(root "${CMAKE_BINARY_DIR}/include/${target}.private")
  endif()
  # Start each configure from an empty directory, so a header dropped from a
  # list is no longer reachable; once per target per configure run.
  get_property(staged GLOBAL PROPERTY HARTSLAG_STAGED_HEADER_DIRS)
  if(NOT root IN_LIST staged)
    file(REMOVE_RECURSE "${root}")
    file(MAKE_DIRECTORY "${root}")
    set_property(GLOBAL APPEND PROPERTY HARTSLAG_STAGED_HEADER_DIRS "${root}")
    target_include_directories(${target} ${scope} "${root}")
  endif()
  foreach(header IN LISTS ARGN)
    get_filename_component(source "${header}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${source}")
      message(FATAL_ERROR "hartslag headers of ${target}: no such header ${source}")
    endif()
    file(RELATIVE_PATH relative "${PROJECT_SOURCE_DIR}" "${source}")
    if(relative MATCHES "^\\.\\./")
      message(FATAL_ERROR "hartslag headers of ${target}: ${source} is outside the repository")
    endif()
    get_filename_component(dir "${root}/${relative}" DIRECTORY)
    file(MAKE_DIRECTORY "${dir}")
    file(CREATE_LINK "${source}" "${root}/${relative}" SYMBOLIC)
  endforeach()
endfunction()

# hartslag_public_headers(<target> <header>...): the headers of a library,
# for its own sources and for every target that links it.
function(hartslag_public_headers target)
  _hartslag_stage_headers(${target} PUBLIC ${ARGN})
endfunction()

# hartslag_private_headers(<target> <header>...): headers only the target's
# own sources include (an executable's, a test's).
function(hartslag_private_headers target)
  _hartslag_stage_headers(${target} PRIVATE ${ARGN})
endfunction()
