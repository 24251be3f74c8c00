#pragma once
// `hangar`'s command line: builds the command tree, parses, and runs the chosen command.
namespace hangar::app {

// Returns the exit status: 0 for --help, 2 with one line on stderr for a bad flag or value or a
// database that is refused, otherwise what the command returned.
int run_command_line(int argc, char** argv);

}  // namespace hangar::app
