//! The text log format writes one event per line; a value that carries a line break (a username
//! typed with a newline, say) must not start a line of its own that reads like another event.
//! This writer escapes line breaks and other control characters inside each event, keeping the
//! event's own final newline. The JSON format escapes them by itself.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

/// Standard output, with control characters inside an event escaped.
#[derive(Clone, Copy, Debug, Default)]
pub struct EscapedStdout;

impl<'a> MakeWriter<'a> for EscapedStdout {
    type Writer = EscapedWriter<io::Stdout>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapedWriter(io::stdout())
    }
}

/// Writes each buffer (the fmt layer writes one event per call) with [`escape_event`].
pub struct EscapedWriter<W>(pub W);

impl<W: Write> Write for EscapedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_all(escape_event(&String::from_utf8_lossy(buf)).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `event` with every control character but the final newline, tabs and the terminal's colour
/// sequences (ESC; the formatter already escapes those inside values) written as an escape.
pub fn escape_event(event: &str) -> String {
    let (body, ending) = match event.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (event, ""),
    };
    let mut escaped = String::with_capacity(event.len());
    for character in body.chars() {
        match character {
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' | '\u{1b}' => escaped.push(character),
            control if control.is_control() => escaped.push_str(&format!("\\u{{{:x}}}", control as u32)),
            other => escaped.push(other),
        }
    }
    escaped.push_str(ending);
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_with_a_line_break_stays_on_its_event_line() {
        let forged = "INFO login failed username=eve\nINFO login succeeded username=admin\n";
        let escaped = escape_event(forged);
        assert_eq!(escaped, "INFO login failed username=eve\\nINFO login succeeded username=admin\n");
        assert_eq!(escaped.lines().count(), 1);
        assert_eq!(escape_event("a\rb\u{7}c\td"), "a\\rb\\u{7}c\td");
    }

    #[test]
    fn the_writer_escapes_each_event() {
        let mut writer = EscapedWriter(Vec::new());
        writer.write_all(b"one\ntwo\n").unwrap();
        assert_eq!(writer.0, b"one\\ntwo\n");
    }
}
