"""One module per schema revision, applied in order by bot.store.db.upgrade."""
