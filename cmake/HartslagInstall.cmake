# What `cmake --install` puts where, and the Debian package `cpack -G DEB`
# makes of it. Only what runs Hartslag is installed: the five servers, the
# CLI, the built front end, the systemd units and sample configuration, and
# the migrations for reference (the binaries carry their own). Tests,
# benchmarks, fuzzers and the example partner system are not.
include(GNUInstallDirs)

install(TARGETS hartslag-audit hartslag-cases hartslag-directory hartslag-intake hartslag-web hartslag
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# hartslag-web serves this folder (--static-dir, HARTSLAG_WEB_STATIC_DIR).
install(DIRECTORY ${HARTSLAG_WEB_DIST}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/hartslag/web)
foreach(service audit cases directory intake)
  install(DIRECTORY services/${service}/migrations/
    DESTINATION ${CMAKE_INSTALL_DATADIR}/hartslag/migrations/${service}
    FILES_MATCHING PATTERN "*.sql")
endforeach()
# Samples, not files in /etc: the package's postinst copies each to
# /etc/hartslag/<service>.env once, with the mode that keeps it from other
# users; after that the administrator's file is never overwritten.
install(FILES
  deploy/config/audit.env.sample deploy/config/cases.env.sample deploy/config/directory.env.sample
  deploy/config/intake.env.sample deploy/config/web.env.sample
  DESTINATION ${CMAKE_INSTALL_DATADIR}/hartslag/config)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The units go where Debian 12 packages put theirs, /lib/systemd/system, when
# installing for the system (prefix /usr, as the package does), and under the
# prefix otherwise, so that `cmake --install --prefix DIR` writes nothing
# outside DIR. Decided when installing, because --prefix can differ from the
# prefix configured.
set(hartslag_units
  ${PROJECT_SOURCE_DIR}/deploy/systemd/hartslag-audit.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/hartslag-cases.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/hartslag-directory.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/hartslag-intake.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/hartslag-migrate@.service
  ${PROJECT_SOURCE_DIR}/deploy/systemd/hartslag-web.service)
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(hartslag_unit_dir /lib/systemd/system)
  else()
    set(hartslag_unit_dir \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  endif()
  file(INSTALL ${hartslag_units} DESTINATION \"\${hartslag_unit_dir}\"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

# One package with every service rather than one per service: they share one
# version, user, configuration folder and key folder, and a municipality runs
# all of them; a host that runs fewer leaves the other units disabled.
set(CPACK_PACKAGE_NAME hartslag)
set(CPACK_PACKAGE_VENDOR "Hartslag")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Hartslag: case coordination for Sociaal Veilig (services, web front end, CLI)")
set(CPACK_PACKAGE_DESCRIPTION
  "gRPC services over TLS on PostgreSQL that take in signals, coordinate the cases of the Leefbaarheidsoverleg and the Casuïstiekoverleg and keep a verifiable audit log: hartslag-directory, hartslag-intake, hartslag-cases, hartslag-audit, hartslag-web (the browser front end) and the command-line tool hartslag, with systemd units. Nothing starts before /etc/hartslag is configured.")
set(HARTSLAG_PACKAGE_MAINTAINER "Hartslag maintainers <hartslag@localhost>"
  CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${HARTSLAG_PACKAGE_MAINTAINER}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# dpkg-shlibdeps names the packages of the shared libraries the binaries
# link (gRPC, protobuf, Abseil, libpq, OpenSSL, ...). What it cannot see:
# the services refuse to start without the time-zone database, and the
# postinst makes the user with adduser.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
