//! ~/.aws/config: load it with aws-config's parser, resolve a profile into a chain, and add a
//! new profile without disturbing the file.

mod load;
pub mod managed_block;
pub mod name_template;
mod overrides;
mod resolve;
mod tags;
mod write;

pub use load::{ConfigFile, KNOWN_KEYS, config_path, load_config};
pub use overrides::Overrides;
pub use resolve::{
    Chain, Hop, ProfileError, ProfileSettings, RootSource, SsoSource, WebIdentitySource,
    WebIdentityToken,
};
pub use tags::SessionTags;
pub use write::{
    config_lock_name, ensure_profile_section, ensure_profile_section_with, replace_contents,
};
