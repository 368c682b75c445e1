"""Echo cards, contact cards, talk rooms and residents' matters (report → analyse → dispatch → handle → close).

Not built yet: see issue 5. The app is registered so that its place in the dependency order is fixed.
"""
