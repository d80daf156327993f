//! Command lines: clap's parsing, with a usage error as one line.

use socklab::output::eprintln_quiet;

/// Parse the command line. `--help` and `--version` print as usual, and
/// a stdout that cannot take them (full, closed) fails with one line, as
/// every other output does (clap's own `exit` would drop that error and
/// exit 0); a usage error is one line on stderr (clap's first paragraph,
/// without the usage and "For more information" footer) and exit status 2.
pub fn parse_args<T: clap::Parser>() -> T {
    match T::try_parse() {
        Ok(args) => args,
        Err(e) if !e.use_stderr() => {
            let text = if socklab::output::color_enabled() {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            socklab::output::write_stdout(&text);
            std::process::exit(e.exit_code());
        }
        Err(e) => {
            // clap's first paragraph, folded onto one line.
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .collect();
            eprintln_quiet(&first.join(" "));
            std::process::exit(2);
        }
    }
}
