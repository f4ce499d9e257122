//! Durations as people read them in a table or a prompt (`vault list`, `vault prompt`, `use`).

/// `42m`, `7h12m`, `30s`: short enough for a table or a prompt.
pub fn human(seconds: i64) -> String {
    match seconds {
        s if s >= 3600 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn seconds_minutes_hours() {
        assert_eq!(human(30), "30s");
        assert_eq!(human(42 * 60 + 5), "42m");
        assert_eq!(human(7 * 3600 + 12 * 60), "7h12m");
        assert_eq!(human(3600), "1h00m");
    }
}
