"""The role detector's signals, written from realist methodology (``CODING-GUIDE.md``).

Each signal is a named group of cue phrases with the rule it stands for. Phrases are matched on
match keys (lower-cased American-spelling lemmas: "felt" finds "feel", "organisations" finds
"organization"), except the ``written`` groups, whose lemma would merge them with other words
("better" is "well", "more" is "much"): those are matched as written, lower-cased.

The signals say *why* a sentence may carry a role; how much each one counts, for which role,
is learned (:mod:`realistcoder.propose.roles.model`), not set by hand here. A signal may point
at several roles or at none ("methods", "pointer"): the learned weights decide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    name: str
    rule: str  # shown to the reviewer: what this cue means
    phrases: tuple[str, ...]
    written: bool = False  # match as written (lower-cased), not on lemmas


def _s(name: str, rule: str, phrases: str, written: bool = False) -> Signal:
    return Signal(name, rule, tuple(p.strip() for p in phrases.split("|") if p.strip()), written)


SIGNALS: tuple[Signal, ...] = (
    # ---- context: conditions and resources in place, lacking or required (rules 2-3)
    _s("c_condition", "a condition clause (where, when, if, only if)",
       "where | when | whenever | if | only if | unless | provided that | as long as | once | "
       "in sites with | in sites where | in practices with | in practices where | "
       "in areas with | in areas where | in settings where | in the context of | "
       "in the presence of | in the absence of | against a background of | depending on"),
    _s("c_require", "something required or depended on",
       "require | requirement | need | necessary | necessity | essential | prerequisite | "
       "precondition | depend on | dependent on | rely on | reliant on | key to | crucial | "
       "vital | critical to | important for | important to | fundamental | underpin | "
       "foundation | in place | put in place | had to | have to | has to"),
    _s("c_enable", "an enabler (allowed, helped, made possible)",
       "enable | enabler | allow | facilitate | facilitator | help | support | make it possible | "
       "make it easier | make it easy | make possible | ensure | contribute to | "
       "strengthen | equip | give them | give staff | provide | access to | opportunity to | "
       "opportunity for | with the help of | thanks to"),
    _s("c_barrier", "a barrier (hindered, prevented, a problem)",
       "barrier | obstacle | hinder | impede | prevent | constrain | constraint | limit | "
       "restrict | challenge | challenging | difficulty | difficult | struggle | problem | "
       "problematic | undermine | complicate | burden | pressure | bottleneck | hamper | "
       "inhibit | block | frustrate | delay | disrupt | fragmented | fragmentation | "
       "tension | conflict | mismatch | incompatible"),
    _s("c_lack", "something lacking or inadequate",
       "lack | lack of | lacking | shortage | short of | shortfall | insufficient | inadequate | "
       "limited | poor | poorly | absence | absent | without | no access | unable to access | "
       "not available | unavailable | gap | scarce | scarcity | under-resourced | "
       "understaffed | overstretched | stretched | high turnover | turnover | vacancy | "
       "vacancies | unclear | inconsistent | variable | variation | patchy | uncertainty | "
       "short-term | short term | time-limited | end of funding | rarely | seldom | "
       "not enough | too few | too little | too much | overloaded"),
    _s("c_resource", "a resource or condition (staff, time, funding, data, training, tools)",
       "staff | staffing | workforce | workload | capacity | skill | skills | expertise | "
       "knowledge | training | train | education | information | data | record | records | "
       "tool | system | software | technology | information technology | digital | "
       "infrastructure | equipment | facility | "
       "facilities | premises | funding | fund | budget | money | finance | financial | "
       "resource | resources | time | protected time | leadership | leader | champion | "
       "sponsor | sponsorship | authority | accountability | governance | policy | "
       "guidance | protocol | procedure | contract | incentive | payment | workforce | team | "
       "communication | network | partnership | infrastructure | culture | continuity | "
       "access | availability | support | supervision | mentoring | feedback | "
       "relationship | relationships | rapport | familiarity"),
    _s("c_staff", "a role or team in place (a pharmacist, a coordinator, volunteers)",
       "pharmacist | pharmacists | nurse | nurses | doctor | doctors | GP | GPs | clinician | "
       "clinicians | therapist | therapists | coordinator | navigator | link worker | "
       "social worker | practitioner | practitioners | specialist | consultant | volunteer | "
       "volunteers | champion | named | dedicated | key worker | case manager | "
       "multidisciplinary team | MDT | admin staff | administrator | receptionist | "
       "health visitor | midwife | paramedic | care worker | carers"),
    _s("c_relation", "relationships and joint working",
       "relationship | rapport | trust between | working relationship | joint working | "
       "work together | worked together | working together | know each other | knew each other | "
       "familiar with | good links | close links | partnership | collaborative | co-located | "
       "co-location | shared | sharing | integrated | integration | interoperable"),
    _s("c_prior", "the state people were in before the programme acted",
       "complex needs | complex | frail | frailty | vulnerable | isolated | isolation | "
       "deprived | deprivation | disadvantaged | unaware | ill-informed | uninformed | "
       "not aware | unsure | confused | confusion | multimorbidity | comorbidity | "
       "long-term condition | already | previously | prior to | before the | history of | "
       "existing | pre-existing | at baseline"),
    _s("c_despite", "a concession (despite, even with)",
       "despite | in spite of | even with | notwithstanding | even though | although | "
       "though | whereas | while | but | however"),
    # ---- mechanism: how people reason or respond (rules 4-5)
    _s("m_perceive", "a perception or belief (felt, saw it as, believed)",
       "feel | feeling | felt that | sense | sense of | perceive | perception | believe | "
       "belief | view | viewed as | see as | saw it as | seen as | regard as | regarded as | "
       "consider | think | thought that | impression | opinion | attitude | attitudes | "
       "mindset | perspective | viewpoint"),
    _s("m_trust", "trust, confidence, reassurance, security",
       "trust | trusted | mistrust | distrust | confidence | confident | reassure | "
       "reassurance | reassuring | secure | security | safe | safety net | comfort | "
       "comfortable | uncomfortable | certainty | peace of mind | rely on"),
    _s("m_motivation", "motivation, willingness, engagement, ownership",
       "motivate | motivation | motivated | willing | willingness | unwilling | reluctant | "
       "reluctance | resist | resistance | enthusiasm | enthusiastic | keen | eager | "
       "commitment | committed | engage | engagement | disengage | buy-in | buy into | "
       "ownership | own | empower | empowerment | empowered | autonomy | agency | "
       "initiative | investment | invest in | embrace | champion | apathy | complacency | "
       "complacent | fatigue | disillusion | disillusionment | cynicism | cynical"),
    _s("m_emotion", "a felt response (worry, fear, frustration, pride, relief)",
       "fear | afraid | anxious | anxiety | worry | worried | concern | concerned | nervous | "
       "stress | stressed | distress | frustrated | frustration | annoy | anger | angry | "
       "relief | relieved | happy | happier | pleased | proud | pride | satisfied | "
       "disappointed | upset | overwhelmed | guilt | embarrassed | stigma | blame | "
       "valued | feel valued | supported | feel supported | respected | listened to | "
       "heard | isolated | alone | lonely | hope | hopeful | optimistic | pessimistic"),
    _s("m_understand", "understanding, awareness, expectations, acceptance",
       "understand | understanding | aware | awareness | realise | realize | recognise | "
       "recognize | know | knew | insight | learn | learned | learnt | expectation | expect | "
       "anticipate | accept | acceptance | acceptable | appreciate | value | prefer | "
       "preference | want | wish | choose | choice | decide | decision | priority | "
       "prioritise | prioritize | aspiration | identity | role clarity | purpose | meaning | "
       "credible | credibility | legitimacy | acknowledge"),
    _s("m_voice", "what participants said or described",
       "participant | participants | interviewee | interviewees | respondent | respondents | "
       "staff said | said | say | describe | described | explain | explained | report | "
       "reported | told | comment | commented | express | expressed | mention | mentioned | "
       "spoke | speak | talk | talked | suggest | note | noted | highlight | highlighted | "
       "raise | raised | account | accounts | narrative | experience | experiences | story"),
    _s("m_purpose", "a resource designed to change how people think or act",
       "designed to | intended to | aimed to | aim to | in order to | so as to | to encourage | "
       "to prompt | to motivate | to reassure | to empower | to build trust | to support | "
       "to help | to enable | to persuade | to nudge | to remind | to inform | "
       "encourage | prompt | persuade | nudge | remind | inspire | trigger | spark | "
       "stimulate | galvanise | galvanize | foster | nurture | instil | instill"),
    _s("m_causal", "an explanation (because, due to, through)",
       "because | because of | due to | owing to | as a result of | since | through | "
       "by virtue of | on account of | driven by | underpinned by | attributed to | "
       "explained by | the reason | reasons | why | how | thereby | which meant | meaning that"),
    # ---- outcome: results for patients, staff, services and money (rule 6)
    _s("o_change", "a change verb (improved, reduced, fell, rose)",
       "improve | improvement | reduce | reduction | increase | decrease | decline | fall | "
       "rise | drop | lower | raise | cut | save | saving | savings | avoid | avert | "
       "prevent | shorten | lengthen | double | halve | grow | growth | expand | expansion | "
       "accelerate | slow | worsen | deteriorate | deterioration | enhance | strengthen | "
       "boost | sustain | maintain | change | shift | transform | progress | complete | "
       "completed | completion | on time | in time | cancel | cancelled | canceled | miss | "
       "missed | lose | lost | stop"),
    _s("o_result", "a result (led to, resulted in, achieved, impact)",
       "lead to | led to | leading to | result in | resulted in | resulting in | result | "
       "outcome | outcomes | impact | effect | effective | effectiveness | benefit | "
       "beneficial | consequence | consequently | as a result | achieve | achievement | "
       "attain | deliver | produce | generate | cause | bring about | translate into | "
       "contribute to | success | successful | successfully | failure | fail | failed | "
       "evidence of | demonstrate | show | showed | found that | find that | affect | "
       "affected | impact on | effect on | had an effect | made a difference | "
       "difference to | legacy | continue to | continued to | went on to"),
    _s("o_measure", "an outcome measure (admissions, adherence, errors, costs, waits)",
       "admission | admissions | readmission | attendance | attendances | A&E | emergency | "
       "referral | referrals | length of stay | bed days | occupancy | mortality | death | "
       "deaths | survival | cost | costs | spend | spending | saving | savings | "
       "productivity | efficiency | efficient | uptake | use | usage | utilisation | "
       "utilization | adherence | compliance | self-management | self-care | quality of life | "
       "wellbeing | well-being | satisfaction | satisfied | experience | error | errors | "
       "harm | adverse | incident | incidents | safety | safe | continuity | waiting time | "
       "wait | waits | waiting | delay | delays | access | accessibility | duplication | "
       "prescribing | deprescribing | medication | medicines | health | function | "
       "functioning | symptoms | recovery | discharge | outcome | performance | quality | "
       "rate | rates | burnout | morale | retention"),
    _s("o_able", "a new capability or state (now able, no longer)",
       "now able | could now | can now | were now | was now | no longer | were able to | "
       "was able to | able to | unable to | became | become | began to | started to | "
       "stopped | ceased | more likely | less likely"),
    _s("o_unintended", "an unintended consequence",
       "unintended | unexpected | unexpectedly | unanticipated | unforeseen | knock-on | "
       "side effect | side effects | adverse effect | perverse | backfire | spill over | "
       "spillover"),
    _s("o_significance", "a tested difference, or none (significant, no change)",
       "significant | significantly | statistically | no difference | no significant | "
       "no change | unchanged | did not change | remained the same | no effect | no impact | "
       "non-significant | not significant | odds ratio | risk ratio | hazard ratio | "
       "confidence interval | relative risk | effect size | mean difference | compared with | "
       "compared to | versus | than"),
    _s("o_comparative", "a comparison (more, fewer, better, faster)",
       "more | less | fewer | better | worse | higher | lower | greater | smaller | larger | "
       "faster | slower | quicker | easier | harder | shorter | longer | earlier | later | "
       "most | least | best | worst | improved | increased | reduced | decreased",
       written=True),
    # ---- no role: what describes the study, not the programme (rule 8)
    _s("n_methods", "study methods, sampling or analysis",
       "interview | interviews | interviewed | focus group | focus groups | survey | "
       "questionnaire | recruit | recruited | recruitment | sample | sampling | sampled | "
       "purposive | snowball | analyse | analyze | analysed | analyzed | analysis | "
       "thematic | thematically | coded | coding | transcribe | transcribed | verbatim | "
       "audio-recorded | data were collected | data collection | we conducted | we used | "
       "methodology | method | methods | design | semi-structured | observation | "
       "inclusion criteria | exclusion criteria | eligible | eligibility | randomise | "
       "randomize | randomised | randomized | allocation | allocated | blinded | protocol | "
       "ethics | ethical | approval | consent | search | searched | database | databases | "
       "screened | screening | extracted | extraction | appraisal | framework analysis | "
       "NVivo | regression | statistical | variable | variables | cohort | baseline | "
       "follow-up | response rate | responded | pilot | piloted | dataset | fieldwork | "
       "stakeholder event | workshop | workshops | triangulate | triangulation | validity"),
    _s("n_aim", "an aim, objective or research question",
       "aim | aims | aimed | objective | objectives | purpose | the goal | research question | "
       "this study | this paper | this report | this article | this evaluation | this review | "
       "we set out | set out to | we sought | sought to | to explore | to examine | "
       "to investigate | to assess | to evaluate | to understand | to describe | to identify | "
       "to determine | to establish | to inform"),
    _s("n_pointer", "a pointer to a table, figure or section",
       "table | figure | fig | appendix | annex | box | chapter | section | see table | "
       "see figure | see fig | see appendix | see annex | see box | see chapter | "
       "see section | see page | see also | see below | see above | shown in | presented in | "
       "summarised in | summarized in | listed in | set out in | illustrated | shown below | "
       "described below | set out below | listed below | given below | shown above | "
       "described above | noted above | mentioned above | outlined above | as above | "
       "the following | as follows | overleaf"),
    _s("n_definition", "a definition",
       "defined as | define | definition | refers to | refer to | known as | is termed | "
       "is called | are called | stands for | i.e. | that is"),
    _s("n_background", "background statistics or epidemiology",
       "prevalence | incidence | each year | every year | per year | annually | million | "
       "billion | worldwide | globally | nationally | population | leading cause | "
       "is one of the | estimated | estimate | common | affects | age | aged | older people | "
       "epidemiology | burden of"),
    _s("n_admin", "acknowledgements, funding, declarations, licences",
       "funded by | funding from | funding was provided | funding is provided | "
       "was funded | were funded | supported by a grant | on behalf of | grant | acknowledge | "
       "acknowledgement | thank | "
       "competing interests | conflict of interest | conflicts of interest | declare | "
       "licence | license | copyright | open access | creative commons | published | "
       "correspondence | email | author | authors | contributor | contributors | ORCID"),
    _s("n_limitation", "a limitation or a call for further research",
       "limitation | limitations | limited by | bias | biased | generalisability | "
       "generalizability | generalise | caution | cautious | further research | "
       "future research | more research | future work | should be explored | "
       "remains unclear | not possible to | beyond the scope"),
    _s("n_recommend", "a recommendation or instruction",
       "should | must | ought to | recommend | recommendation | recommended | consider | "
       "need to | needs to | it is important to | make sure | ensure that | we suggest | "
       "advise | action | actions | next steps | checklist"),
    _s("n_we", "the authors speaking (we, our)", "we | our | us", written=True),
    _s("p_first_person", "a participant speaking (I, my, me)", "i | my | me | myself",
       written=True),
    # ---- links that tell how a finding reads (matched as phrases, like the rest)
    _s("p_felt_that", "someone's view of a condition (felt that ...)",
       "feel that | feel as if | feel as though | feel it | feel they | feel there | "
       "believe that | believe it | think that | think it | perceive that | sense that | "
       "worry that | concern that | agree that | recognise that | realise that"),
    _s("p_so_that", "a purpose or consequence link (so that, in order to)",
       "so that | in order to | so as to | which meant | meaning that | this meant | meant that | "
       "as a result | resulting in | which led to | leading to | which in turn"),
    _s("p_percent", "a percentage", "% | per cent | percent | percentage point"),
    _s("o_change_in", "a change in something (a reduction in ..., fell by ...)",
       "reduction in | reduction of | reduction by | increase in | increase of | increase by | "
       "decrease in | decrease of | decrease by | improvement in | improvement of | "
       "decline in | decline of | fall in | fall by | fall from | fall to | rise in | rise by | "
       "rise from | rise to | drop in | drop by | drop from | drop to | change in | "
       "change of | reduce by | improve by | halve | double"),
    _s("p_money", "money", "£ | $ | € | pounds | dollars | euros"),
)

SIGNAL_NAMES = tuple(s.name for s in SIGNALS)
