"""The Discord adapter: discord.py glue between Discord events and the StudyService.

`bot.adapters.discord_app.main` is the entry point; the modules here hold its parts:
settings (environment), rendering (Discord limits and embeds), views (persistent buttons),
responder (what each question does), quizzes (/quiz and the round timers), moderation
(/studybot), messaging (what they share), slash_commands (the command tree) and client (the bot
and its start-up). The study desk (`bot.core.study`) holds settings, stats, votes and quizzes.
"""
