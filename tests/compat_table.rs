//! docs/aws-vault.md's ("Coming from aws-vault") config-key table against the keys vault reads
//! (`vault::profile::KNOWN_KEYS`), so the table cannot rot silently: a key the table calls
//! supported must be one vault reads, a key it calls not supported must not be, and every key
//! vault reads must have a row.
//!
//! A row whose status depends on work still to merge carries `<!-- needs: BRANCH -->`; such a
//! row may claim a key vault does not read yet. Once the comment is removed, the row is checked
//! like every other.

use std::collections::BTreeSet;

const TITLE: &str = "# Coming from aws-vault";
const TABLE: &str = "## aws-vault's config keys";

/// What the table says vault does with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Same,
    Different,
    NotSupported,
}

/// One row of the config-key table.
#[derive(Debug)]
struct Row {
    key: String,
    status: Status,
    pending: bool,
}

/// The cells of a Markdown table line, split at `|` that are not escaped as `\|`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().unwrap().push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The first `code` span of `cell` that is a config key (lower case and `_`): the row's key.
/// Other spans (`[sso-session]`, a key mentioned in passing) come after it or are not keys.
fn key_of(cell: &str) -> Option<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .find(|span| !span.is_empty() && span.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_string)
}

fn status_of(cell: &str) -> Result<Status, String> {
    let text = cell.trim_start_matches("**");
    if text.starts_with("same") {
        Ok(Status::Same)
    } else if text.starts_with("different") {
        Ok(Status::Different)
    } else if text.starts_with("not supported") {
        Ok(Status::NotSupported)
    } else {
        Err(format!(
            "status '{cell}' does not start with same, different or not supported"
        ))
    }
}

/// The config-key table's rows, or what is wrong with its shape.
fn rows(readme: &str) -> Result<Vec<Row>, String> {
    if !readme.starts_with(&format!("{TITLE}\n")) {
        return Err(format!("the page does not start with '{TITLE}'"));
    }
    let table = readme
        .split_once(&format!("\n{TABLE}\n"))
        .ok_or(format!("the page has no '{TABLE}' table"))?
        .1;
    let lines: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    let [header, separator, body @ ..] = lines.as_slice() else {
        return Err(format!("'{TABLE}' has no table"));
    };
    if cells(header).len() != 2 || !separator.starts_with("|---") {
        return Err(format!("'{TABLE}' table is not | key | vault |: {header}"));
    }
    body.iter()
        .map(|line| {
            let cells = cells(line);
            let [key, status] = cells.as_slice() else {
                return Err(format!("row has {} cells, not 2: {line}", cells.len()));
            };
            Ok(Row {
                key: key_of(key).ok_or(format!("row names no key: {line}"))?,
                status: status_of(status)?,
                pending: status.contains("<!-- needs:"),
            })
        })
        .collect()
}

/// Every disagreement between the table in `readme` and `known`, one line each.
fn problems(readme: &str, known: &[&str]) -> Vec<String> {
    let rows = match rows(readme) {
        Ok(rows) => rows,
        Err(e) => return vec![e],
    };
    let known: BTreeSet<&str> = known.iter().copied().collect();
    let mut out = vec![];
    let mut seen = BTreeSet::new();
    for row in &rows {
        if !seen.insert(row.key.as_str()) {
            out.push(format!("`{}` has two rows", row.key));
        }
        let reads = known.contains(row.key.as_str());
        match row.status {
            Status::Same | Status::Different if !reads && !row.pending => out.push(format!(
                "`{}` is supported in the table but not a key vault reads (src/profile/load.rs KNOWN_KEYS)",
                row.key
            )),
            Status::NotSupported if reads => out.push(format!(
                "`{}` is 'not supported' in the table but vault reads it",
                row.key
            )),
            _ => {}
        }
    }
    for key in known.difference(&seen) {
        out.push(format!(
            "`{key}` is read by vault but has no row in the table"
        ));
    }
    out
}

#[test]
fn readme_config_key_table_matches_the_keys_vault_reads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/aws-vault.md");
    let readme = std::fs::read_to_string(path).expect("docs/aws-vault.md");
    let rows = rows(&readme).expect("the table parses");
    // The parser found the table, not a stray line: aws-vault has more than 20 keys.
    assert!(rows.len() > 20, "only {} rows: {rows:?}", rows.len());
    let problems = problems(&readme, vault::profile::KNOWN_KEYS);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// The check itself can fail: each kind of rot in a small README is caught.

fn readme_with(rows: &str) -> String {
    format!(
        "{TITLE}\n\nintro\n\n{TABLE}\n\ntext\n\n| aws-vault key | vault |\n|---|---|\n{rows}\nafter\n\n## Profiles\n\n{TABLE}\n\n| `ghost` | same |\n"
    )
}

#[test]
fn a_supported_key_vault_does_not_read_is_caught() {
    let readme = readme_with("| `region` | same |\n| `colour` | same |");
    assert_eq!(
        problems(&readme, &["region"]),
        vec![
            "`colour` is supported in the table but not a key vault reads (src/profile/load.rs KNOWN_KEYS)"
        ]
    );
}

#[test]
fn a_pending_row_may_claim_a_key_not_read_yet() {
    let readme = readme_with("| `region` | same |\n| `colour` | same <!-- needs: x --> |");
    assert!(problems(&readme, &["region"]).is_empty());
}

#[test]
fn a_key_called_not_supported_that_vault_reads_is_caught() {
    let readme = readme_with("| `region` | not supported: because |");
    assert_eq!(
        problems(&readme, &["region"]),
        vec!["`region` is 'not supported' in the table but vault reads it"]
    );
}

#[test]
fn a_key_vault_reads_without_a_row_is_caught() {
    let readme = readme_with("| `region` | different: because \\| reasons |");
    assert_eq!(
        problems(&readme, &["region", "role_arn"]),
        vec!["`role_arn` is read by vault but has no row in the table"]
    );
}

#[test]
fn a_row_without_a_status_word_is_caught() {
    let readme = readme_with("| `region` | yes |");
    assert_eq!(
        problems(&readme, &["region"]),
        vec!["status 'yes' does not start with same, different or not supported"]
    );
}

#[test]
fn the_row_key_is_the_first_key_span() {
    assert_eq!(
        key_of("`[sso-session]` `sso_registration_scopes`").as_deref(),
        Some("sso_registration_scopes")
    );
    assert_eq!(
        key_of("`parent_profile` (old name for `include_profile`)").as_deref(),
        Some("parent_profile")
    );
}
