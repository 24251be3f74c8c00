#include "platform/cli_app.hpp"

int main(int argc, char** argv) {
  return hangar::cli::run(argc, argv);
}
