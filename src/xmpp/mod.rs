//! Agents on XMPP: an agent links their XMPP address (confirmed by a code they send from
//! it); while no browser of theirs is open, Staffel — signed in to an XMPP server as its own
//! account — offers them their channels' chat requests there, relays the conversation both
//! ways, and takes their XMPP presence as their chat presence. Short commands accept and
//! end chats. A domain beside `chat`: everything it does goes through the chat's functions
//! with `chat::Via::Xmpp`, which is also what keeps the browser and XMPP from both
//! answering one chat.
pub mod bridge;
pub mod commands;
pub mod desk;
pub mod links;
