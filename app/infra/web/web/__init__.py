"""Web-layer helpers the channel blueprints share: provider signatures and TwiML replies.

Only the web packages (this one, the channels and the console blueprints) read flask.request;
the domain modules under app/ take plain values.
"""
