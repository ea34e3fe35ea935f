export { parseDuration, tryParseDuration } from './duration.ts';
export { CampaignDefinition, CampaignStep, CampaignTrigger, Duration, OfferRule, OfferSpec, Sender, SubjectVariant } from './campaign-definition.ts';
export { CampaignError } from './campaign-error.ts';
export { formatYamlPath, parseLocatedYaml } from './parse-located-yaml.ts';
export type { LocatedValue, YamlPath } from './parse-located-yaml.ts';
