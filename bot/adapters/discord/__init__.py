"""The Discord adapter: discord.py glue between Discord events and the StudyService.

`bot.adapters.discord_app.main` is the entry point; the modules here hold its parts:
settings (environment), rendering (Discord limits and embeds), views (persistent buttons),
responder (what each event does), slash_commands (the command tree) and client (the bot and
its start-up). Votes go to a `bot.core.feedback.FeedbackSink`.
"""
