# pages

language-name = Deutsch
