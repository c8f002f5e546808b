# SPDX-License-Identifier: GPL-3.0-or-later
# `make package`: the Debian package of Vigil (CPack's DEB generator), and the
# install rules of everything around the binaries: desktop entry, icons,
# AppStream metainfo, manual page, demo workspace, systemd user unit, Debian
# copyright and changelog. The binaries' own rules are beside their targets
# (app/, core/, plugins/). Layout: docs/INSTALL.md.
set(VIGIL_PACKAGING_SRC ${PROJECT_SOURCE_DIR}/packaging)
set(VIGIL_PACKAGING_OUT ${PROJECT_BINARY_DIR}/packaging)
set(VIGIL_PACKAGE_MAINTAINER "Vigil maintainers <maintainers@users.noreply.r-seed-447cd0ba.example>"
    CACHE STRING "The .deb's Maintainer field (name <address>)")
set(VIGIL_DEB_RELEASE 1 CACHE STRING "The Debian revision of the .deb (the part after the '-')")
set(VIGIL_DEB_VERSION ${PROJECT_VERSION}-${VIGIL_DEB_RELEASE})
set(VIGIL_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/vigil)

# Data and desktop integration.
install(FILES ${PROJECT_SOURCE_DIR}/resources/workspaces/demo.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/vigil/workspaces)
install(FILES ${VIGIL_PACKAGING_SRC}/desktop/vigil.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${VIGIL_PACKAGING_SRC}/desktop/io.github.vigil.Vigil.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/vigil.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# PNG icons rendered from the SVG at build time (rsvg-convert, librsvg2-bin):
# the sizes the hicolor theme and desktop shells look up first.
find_program(VIGIL_RSVG_CONVERT rsvg-convert)
find_program(VIGIL_GZIP gzip REQUIRED)
set(VIGIL_PACKAGING_OUTPUTS)
if(VIGIL_RSVG_CONVERT)
  foreach(size 16 22 24 32 48 64 128 256)
    set(png ${VIGIL_PACKAGING_OUT}/icons/${size}x${size}/vigil.png)
    add_custom_command(OUTPUT ${png}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${VIGIL_PACKAGING_OUT}/icons/${size}x${size}
      COMMAND ${VIGIL_RSVG_CONVERT} -w ${size} -h ${size} -o ${png} ${PROJECT_SOURCE_DIR}/resources/icons/vigil.svg
      DEPENDS ${PROJECT_SOURCE_DIR}/resources/icons/vigil.svg
      COMMENT "Rendering the ${size}x${size} icon")
    list(APPEND VIGIL_PACKAGING_OUTPUTS ${png})
    install(FILES ${png} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
  endforeach()
else()
  message(WARNING "rsvg-convert not found (package librsvg2-bin): only the scalable icon is installed. "
                  "packaging/debian-deps.sh installs it.")
endif()

# Manual page and Debian changelog, compressed as Debian policy wants them
# (gzip -9n: no name, no timestamp, so the package is reproducible).
configure_file(${VIGIL_PACKAGING_SRC}/debian/changelog.in ${VIGIL_PACKAGING_OUT}/changelog.Debian @ONLY)
foreach(pair "man/vigil.1=${PROJECT_SOURCE_DIR}/packaging/man/vigil.1"
             "changelog.Debian=${VIGIL_PACKAGING_OUT}/changelog.Debian")
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 name)
  list(GET pair 1 source)
  set(gz ${VIGIL_PACKAGING_OUT}/${name}.gz)
  get_filename_component(gzdir ${gz} DIRECTORY)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${gzdir}
    COMMAND ${VIGIL_GZIP} -9nc ${source} > ${gz}
    DEPENDS ${source}
    COMMENT "Compressing ${name}")
  list(APPEND VIGIL_PACKAGING_OUTPUTS ${gz})
endforeach()
add_custom_target(vigil-packaging-files ALL DEPENDS ${VIGIL_PACKAGING_OUTPUTS})
install(FILES ${VIGIL_PACKAGING_OUT}/man/vigil.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${VIGIL_PACKAGING_OUT}/changelog.Debian.gz ${VIGIL_PACKAGING_SRC}/debian/copyright
        DESTINATION ${VIGIL_DOCDIR})
# docs/INSTALL.md is not shipped: it is about building and installing this package
# (lintian: package-contains-upstream-installation-documentation); vigil(1) has the unit and files.
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/USER-GUIDE.md
        DESTINATION ${VIGIL_DOCDIR})
install(FILES ${VIGIL_PACKAGING_SRC}/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        RENAME vigil)

# The systemd user unit. Its ExecStart names /usr/bin/vigil (the package's
# path); an install under another prefix gets that prefix's binary instead,
# decided at install time, when the prefix is known.
set(VIGIL_UNIT_SRC ${VIGIL_PACKAGING_SRC}/systemd/vigil-watch.service)
install(CODE "
  file(READ \"${VIGIL_UNIT_SRC}\" unit)
  string(REPLACE \"ExecStart=/usr/bin/vigil \" \"ExecStart=\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/vigil \" unit \"\${unit}\")
  set(dest \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/user\")
  message(STATUS \"Installing: \${dest}/vigil-watch.service\")
  file(MAKE_DIRECTORY \"\${dest}\")
  file(WRITE \"\${dest}/vigil-watch.service\" \"\${unit}\")
")

# The package. Dependencies on shared libraries come from dpkg-shlibdeps;
# what is loaded at run time by name (Qt's SQLite driver and platform
# plugins, libsecret for QtKeychain) is named here.
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE VIGIL_DEB_ARCH
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT VIGIL_DEB_ARCH)
  set(VIGIL_DEB_ARCH amd64)
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vigil)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The Vigil authors")
set(CPACK_PACKAGE_CONTACT "${VIGIL_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "on-call console for machine-learning services")
set(CPACK_PACKAGE_DESCRIPTION "Vigil watches the services that serve machine-learning models. It charts
live metrics from Prometheus (or VictoriaMetrics, Thanos, Mimir) and MLflow
model registries, evaluates alert rules itself and sends notifications to the
desktop and to Slack, with acknowledgements and silences that survive a
restart. It also scores data drift from histogram metrics and compares model
versions as a canary judge.

The vigil-watch systemd user unit runs the same rules and notifications
without a window.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${VIGIL_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${VIGIL_DEB_RELEASE})
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${VIGIL_DEB_ARCH})
set(CPACK_DEBIAN_FILE_NAME vigil_${VIGIL_DEB_VERSION}_${VIGIL_DEB_ARCH}.deb)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${VIGIL_PRIVATE_LIBDIR})
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libsecret-1-0, libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus | victoria-metrics, gnome-keyring")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(VIGIL_DEB_FILE ${PROJECT_BINARY_DIR}/${CPACK_DEBIAN_FILE_NAME})
include(CPack)

if(VIGIL_BUILD_TESTS)
  add_subdirectory(${PROJECT_SOURCE_DIR}/tests/packaging ${PROJECT_BINARY_DIR}/tests/packaging)
endif()
