# hartslag_embed_migrations(<target> <function> <dir>)
#
# Compiles every NNNN_name.sql file in <dir> into <target> as
#   std::vector<hartslag::db::Migration> <function>();
# so a service binary carries its own schema and needs no files at run time.
function(hartslag_embed_migrations target function dir)
  file(GLOB sql_files CONFIGURE_DEPENDS "${dir}/*.sql")
  list(SORT sql_files)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${function}.cc")
  set(body "// Generated from ${dir} by cmake/embed_migrations.cmake. Do not edit.\n")
  string(APPEND body "#include <vector>\n#include \"services/common/migrations.h\"\n\n")
  string(APPEND body "namespace hartslag {\n\nstd::vector<db::Migration> ${function}() {\n  return {\n")
  foreach(f IN LISTS sql_files)
    get_filename_component(name "${f}" NAME)
    file(READ "${f}" sql)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${f}")
    string(APPEND body "      {\"${name}\", R\"hartslag_sql(${sql})hartslag_sql\"},\n")
  endforeach()
  string(APPEND body "  };\n}\n\n}  // namespace hartslag\n")
  file(GENERATE OUTPUT "${out}" CONTENT "${body}")
  target_sources(${target} PRIVATE "${out}")
endfunction()
