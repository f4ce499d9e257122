//! `vault login --browser NAME`: a browser by name, and the two ways to keep AWS accounts
//! apart in one browser, since the console holds one signed-in session per browser profile:
//!
//! - `firefox-container`: one Firefox container per vault profile, through the
//!   `ext+container:name=PROFILE&url=URL` links of the "Open external links in a container"
//!   extension (the one granted and aws-vault users rely on; Firefox has no flag for
//!   containers of its own). The extension creates the container the first time.
//! - `chrome-profile`, `chromium-profile`, `edge-profile`, `brave-profile`: one browser profile
//!   folder per vault profile (`--user-data-dir`), under `$XDG_DATA_HOME/vault/browsers/`, with
//!   `--no-first-run` so a new folder opens the page, not the welcome screens.
//!
//! Anything else is a command, read as a `$BROWSER` entry (`%s` for the URL).

use std::path::PathBuf;
use std::process::Command;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::Failure;

/// A browser family: how to find its program, and how it keeps profiles apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Firefox,
    Chrome,
    Chromium,
    Edge,
    Brave,
}

/// What `--browser` (or VAULT_LOGIN_BROWSER) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `$BROWSER`, else the desktop's default.
    Default,
    /// A browser by name, with each vault profile kept apart (`isolate`) or not.
    Named { family: Family, isolate: bool },
    /// A command, as a `$BROWSER` entry.
    Command(String),
}

impl Choice {
    pub fn parse(text: &str) -> Choice {
        let text = text.trim();
        let (name, isolate) = match text
            .strip_suffix("-container")
            .or_else(|| text.strip_suffix("-profile"))
        {
            Some(name) => (name, true),
            None => (text, false),
        };
        let family = match name {
            "firefox" => Family::Firefox,
            "chrome" => Family::Chrome,
            "chromium" => Family::Chromium,
            "edge" => Family::Edge,
            "brave" => Family::Brave,
            "default" if !isolate => return Choice::Default,
            _ => return Choice::Command(text.into()),
        };
        // Containers are Firefox's; profile folders the Chromium family's.
        let fits = match family {
            Family::Firefox => !isolate || text.ends_with("-container"),
            _ => !isolate || text.ends_with("-profile"),
        };
        if !fits {
            return Choice::Command(text.into());
        }
        Choice::Named { family, isolate }
    }
}

impl Family {
    fn folder_name(self) -> &'static str {
        match self {
            Family::Firefox => "firefox",
            Family::Chrome => "chrome",
            Family::Chromium => "chromium",
            Family::Edge => "edge",
            Family::Brave => "brave",
        }
    }

    /// The programs to try, in order: the names on PATH, then where the platform's installer
    /// puts it (macOS and Windows have no launcher on PATH by default).
    fn programs(self) -> Vec<&'static str> {
        let mut on_path: Vec<&str> = match self {
            Family::Firefox => vec!["firefox"],
            Family::Chrome => vec!["google-chrome", "google-chrome-stable", "chrome"],
            Family::Chromium => vec!["chromium", "chromium-browser"],
            Family::Edge => vec!["microsoft-edge", "microsoft-edge-stable", "msedge"],
            Family::Brave => vec!["brave-browser", "brave"],
        };
        if cfg!(target_os = "macos") {
            on_path.push(match self {
                Family::Firefox => "/Applications/Firefox.app/Contents/MacOS/firefox",
                Family::Chrome => "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                Family::Chromium => "/Applications/Chromium.app/Contents/MacOS/Chromium",
                Family::Edge => "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
                Family::Brave => "/Applications/Brave Browser.app/Contents/MacOS/Brave Browser",
            });
        }
        if cfg!(windows) {
            on_path.push(match self {
                Family::Firefox => r"C:\Program Files\Mozilla Firefox\firefox.exe",
                Family::Chrome => r"C:\Program Files\Google\Chrome\Application\chrome.exe",
                Family::Chromium => r"C:\Program Files\Chromium\Application\chrome.exe",
                Family::Edge => r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
                Family::Brave => {
                    r"C:\Program Files\BraveSoftware\Brave-Browser\Application\brave.exe"
                }
            });
        }
        on_path
    }
}

/// Everything but letters and digits is encoded in the link's values (the extension decodes
/// them as URL query values).
const LINK_VALUE: &AsciiSet = NON_ALPHANUMERIC;

/// A profile name as one folder name: letters, digits, `-` and `_` as they are, anything
/// else (`/` of an SSO name, `.`, `..`, `\`) percent-encoded, so it never leaves its folder.
const FOLDER: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_');

/// The link that opens `url` in the container named after `profile`.
pub fn container_link(profile: &str, url: &str) -> String {
    format!(
        "ext+container:name={}&url={}",
        utf8_percent_encode(profile, LINK_VALUE),
        utf8_percent_encode(url, LINK_VALUE)
    )
}

/// The browser profile folder of `profile` for `family`.
pub fn profile_folder(family: Family, profile: &str) -> Option<PathBuf> {
    Some(
        dirs::data_dir()?
            .join("vault")
            .join("browsers")
            .join(family.folder_name())
            .join(utf8_percent_encode(profile, FOLDER).to_string()),
    )
}

/// The arguments after the program: the page, in the profile's container or folder.
fn arguments(
    family: Family,
    isolate: bool,
    profile: &str,
    url: &str,
) -> Result<Vec<String>, Failure> {
    if !isolate {
        return Ok(vec![url.into()]);
    }
    Ok(match family {
        Family::Firefox => vec![container_link(profile, url)],
        _ => {
            let folder = profile_folder(family, profile).ok_or(Failure::NoDataFolder)?;
            // Private: the folder will hold the console's session cookies.
            crate::store::file::create_private_dir(&folder).map_err(|_| Failure::NoDataFolder)?;
            vec![
                format!("--user-data-dir={}", folder.display()),
                "--no-first-run".into(),
                url.into(),
            ]
        }
    })
}

/// Open `url` as `choice` says, for `profile`. A named browser is started and left running
/// (it may live until the person closes it); a command is waited for, as `$BROWSER` is.
pub fn open(choice: &Choice, profile: &str, url: &str) -> Result<(), Failure> {
    match choice {
        Choice::Default => super::open(url),
        Choice::Command(entry) => {
            let Some(mut command) = super::browser_command(entry, url) else {
                return Err(Failure::NotStarted {
                    tried: vec!["--browser".into()],
                });
            };
            let name = super::name_of(&command);
            let mut child = super::start(&mut command).map_err(|()| Failure::NotStarted {
                tried: vec![name.clone()],
            })?;
            match child.wait() {
                Ok(status) if !status.success() => Err(Failure::Exited {
                    launcher: name,
                    status,
                }),
                _ => Ok(()),
            }
        }
        Choice::Named { family, isolate } => {
            let args = arguments(*family, *isolate, profile, url)?;
            let mut tried = vec![];
            for program in family.programs() {
                let mut command = Command::new(program);
                command.args(&args);
                super::detach(&mut command);
                match super::start(&mut command) {
                    // The intermediate process, gone at once (see `detach`).
                    Ok(mut child) => {
                        let _ = child.wait();
                        return Ok(());
                    }
                    Err(()) => tried.push(super::name_of(&command)),
                }
            }
            Err(Failure::NotStarted { tried })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_choose_a_browser_and_the_rest_is_a_command() {
        let named = |family, isolate| Choice::Named { family, isolate };
        assert_eq!(
            Choice::parse("firefox-container"),
            named(Family::Firefox, true)
        );
        assert_eq!(Choice::parse("chrome-profile"), named(Family::Chrome, true));
        assert_eq!(Choice::parse("edge-profile"), named(Family::Edge, true));
        assert_eq!(Choice::parse("chromium"), named(Family::Chromium, false));
        assert_eq!(Choice::parse(" default "), Choice::Default);
        assert_eq!(
            Choice::parse("chrome-container"),
            Choice::Command("chrome-container".into())
        );
        assert_eq!(
            Choice::parse("firefox --private-window %s"),
            Choice::Command("firefox --private-window %s".into())
        );
    }

    #[test]
    fn a_profile_name_stays_one_folder_and_one_link_value() {
        let folder = |name| {
            profile_folder(Family::Chrome, name)
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(folder("prod-admin_1"), "prod-admin_1");
        assert_eq!(folder("Acme/Admin"), "Acme%2FAdmin");
        assert_eq!(folder(".."), "%2E%2E");
        assert_eq!(
            container_link("a b", "https://x/?a=1&b=2"),
            "ext+container:name=a%20b&url=https%3A%2F%2Fx%2F%3Fa%3D1%26b%3D2"
        );
    }
}
