"""Hand-written reports for the near-duplicate tests (no text copied from any outlet)."""

from __future__ import annotations

WIRE_STORY = """North Korea has sent about 1,000 military engineers to the Kursk region of Russia, \
South Korea's intelligence service told lawmakers in Seoul on Thursday.
The second group of sappers crossed into Russia by rail during the last week of \
November, according to the briefing, and is expected to clear mines left in villages near the \
border with Ukraine.
Lawmakers who attended the closed session said the agency had tracked the movement through \
satellite images of the Tumen river crossing and intercepted radio traffic.
The service also said it believed Pyongyang was receiving oil, air defence parts and cash in \
return, though it gave no figures for the payments.
Moscow has not commented on the report. The Russian defence ministry said last month that foreign \
specialists were helping to rebuild roads and bridges in the region, without naming any country.
A spokesman for the Ukrainian general staff said the engineers would free Russian units for the \
front line and called on Western partners to respond.
Analysts in Seoul said the deployment showed that military ties between the two countries had \
deepened since the partnership treaty took effect, and warned that more units could follow in \
the spring."""

FOLLOW_UP_NEW = """Russia's foreign ministry on Friday rejected the account as a fabrication meant to \
derail talks on a ceasefire, and summoned the South Korean ambassador to protest.
The ministry said Seoul was repeating claims first made by Kyiv and asked it to present evidence.
In Pyongyang, state media carried a statement by the defence ministry praising what it called \
the brotherly solidarity of the two armies, without confirming that any soldiers had left.
Officials in Washington said they were studying the report and would consult allies in Tokyo \
and Seoul on new sanctions against shipping firms that carry munitions across the border.
The European Union's foreign policy chief said the bloc would raise the matter at the next \
meeting of its ministers."""

OTHER_STORY = """Russian and North Korean officials signed an agreement in Vladivostok on Wednesday \
to open a regular passenger flight between Vladivostok and Pyongyang from next spring.
The deal, signed by the transport ministers of the two countries, also covers cargo flights and \
the training of North Korean pilots at a Russian flight school.
Tour operators in the Russian Far East said demand for trips to the North Korean ski resort at \
Masikryong had risen sharply since the first tourist groups went there last year.
The airline chosen to operate the route has not been named. A Russian official said tickets \
would go on sale in February and that the flight would take a little under three hours.
The two governments have restored rail links and a road bridge across the Tumen river is being \
built, which officials expect to finish by the end of next year."""
