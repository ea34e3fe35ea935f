/** The recommendations stage: which other products an email shows beside the one it is about, and why. */
export {
  checkRecommendationLimit,
  maxRecommendations,
  recommend,
  scoreSimilarity,
  similarityWeights,
  type Recommendation,
  type RecommendationReason,
  type RecommendInput,
} from './recommend.ts';
export {
  createGatherRecommendations,
  gatherBounds,
  type FindCatalogItems,
  type GatherRecommendationsDeps,
  type RecommendationRequest,
} from './gather-recommendations.ts';
