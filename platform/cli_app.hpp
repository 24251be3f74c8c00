#pragma once
// `hangar`'s command line: builds the command tree, parses, and runs the chosen command.
namespace hangar::cli {

// Returns the exit status: 0 for --help, 2 with one line on stderr for a bad flag or value or a
// database that is refused, otherwise what the command returned.
int run(int argc, char** argv);

}  // namespace hangar::cli
