# One CMake library per module (DESIGN.md's layout), with its dependencies declared once:
#
#   hangar_module(NAME botapi DIR platform/botapi MODULES core memory telegram LIBRARIES OpenSSL::SSL)
#
# makes the static library hangar_botapi from every .cpp under DIR, linked PUBLIC to the named
# modules (hangar_<module>) and libraries. Each module is recorded (its folder and the modules it
# links), so that hangar_check_module_graph() can refuse a cycle at configure time, and the
# layering test can refuse an #include of a module that is not linked.

set_property(GLOBAL PROPERTY HANGAR_MODULES "")

function(hangar_module)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;DIR" "MODULES;LIBRARIES")
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/${arg_DIR}/*.cpp")
  list(FILTER sources EXCLUDE REGEX "/main\\.cpp$|/heap_hooks\\.cpp$")
  set(target hangar_${arg_NAME})
  add_library(${target} STATIC ${sources})
  target_include_directories(${target} PUBLIC "${CMAKE_SOURCE_DIR}")
  set(linked "")
  foreach(module IN LISTS arg_MODULES)
    list(APPEND linked hangar_${module})
  endforeach()
  target_link_libraries(${target} PUBLIC ${linked} ${arg_LIBRARIES})
  target_precompile_headers(${target} REUSE_FROM hangar_precompiled)
  set_property(GLOBAL APPEND PROPERTY HANGAR_MODULES ${arg_NAME})
  set_property(GLOBAL PROPERTY HANGAR_MODULE_DIR_${arg_NAME} "${arg_DIR}")
  set_property(GLOBAL PROPERTY HANGAR_MODULE_DEPS_${arg_NAME} "${arg_MODULES}")
endfunction()

# Depth-first walk of the declared module graph; a module met again on the current path is a
# cycle, reported with the path that closes it.
function(_hangar_visit module path)
  if(module IN_LIST path)
    list(APPEND path ${module})
    list(JOIN path " -> " cycle)
    message(FATAL_ERROR "module dependency cycle: ${cycle}")
  endif()
  get_property(done GLOBAL PROPERTY _HANGAR_VISITED_${module})
  if(done)
    return()
  endif()
  list(APPEND path ${module})
  get_property(deps GLOBAL PROPERTY HANGAR_MODULE_DEPS_${module})
  foreach(dep IN LISTS deps)
    _hangar_visit(${dep} "${path}")
  endforeach()
  set_property(GLOBAL PROPERTY _HANGAR_VISITED_${module} TRUE)
endfunction()

# Fails the configure step on a cycle, and writes `file`: one line per module,
# "<name> <folder> <linked module>...", which the layering test reads.
function(hangar_check_module_graph file)
  get_property(modules GLOBAL PROPERTY HANGAR_MODULES)
  set(lines "")
  foreach(module IN LISTS modules)
    _hangar_visit(${module} "")
    get_property(dir GLOBAL PROPERTY HANGAR_MODULE_DIR_${module})
    get_property(deps GLOBAL PROPERTY HANGAR_MODULE_DEPS_${module})
    list(JOIN deps " " deps_text)
    string(APPEND lines "${module} ${dir} ${deps_text}\n")
  endforeach()
  file(WRITE "${file}" "${lines}")
endfunction()
