"""The page's live events (issue 12, README "Push updates"): published after commit into one capped Redis Stream
(`events.publish`), read by one loop per events process and fanned out to its server-sent-event connections
(`events.stream`). Imports no domain app: the domain services say what to publish, this package only carries it."""
