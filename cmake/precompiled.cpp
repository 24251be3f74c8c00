// Compiled only to build the precompiled header that every module reuses (CMakeLists.txt).
