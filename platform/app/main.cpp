#include "platform/app/command_line.hpp"

int main(int argc, char** argv) {
  return hangar::app::run_command_line(argc, argv);
}
