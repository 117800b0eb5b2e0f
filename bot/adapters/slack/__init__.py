"""The Slack adapter: settings, Block Kit rendering, Bolt listeners and the HTTP/Socket Mode runtime.

`bot.adapters.slack_app` is the entry point (`main`, `register`); nothing outside this package and
that module imports slack_bolt or slack_sdk.
"""
